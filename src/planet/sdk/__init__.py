"""The Python SDK: wallets, signing, transaction building and the node client."""
