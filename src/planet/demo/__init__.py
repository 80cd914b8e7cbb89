"""`planet demo`: a node home holding a generated, living planet, and what to log in with."""
