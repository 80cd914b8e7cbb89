"""The pure, deterministic core: rules only, no files, sockets, clocks or randomness.

Nothing in `planet.core` imports from the rest of the package; the engines, storage,
API and CLI are adapters that call in.
"""
