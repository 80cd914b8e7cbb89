"""ABCI 2.0 (CometBFT v0.38) for Planet: the protobuf types, the socket framing, an asyncio
server for the four connections CometBFT opens, and the application handler over the core.

The types (abci_pb2) are generated from our own abci.proto by scripts/gen-abci-proto.
"""
