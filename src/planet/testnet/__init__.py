"""A local consortium network of CometBFT validators on loopback (`planet testnet`)."""
