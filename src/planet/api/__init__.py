"""The HTTP API: an adapter that turns requests into engine and core calls."""
