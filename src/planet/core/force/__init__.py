"""Original Force: the task catalog, grants and their expiry."""
