"""A node's home folder and the process that runs it (engine + HTTP API)."""
