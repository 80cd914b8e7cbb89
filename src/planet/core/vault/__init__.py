"""The data vault: commitments to encrypted records on the ledger, ciphertext off it."""
