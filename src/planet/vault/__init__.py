"""The off-ledger half of the data vault: the blob store served under the ledger's rules."""
