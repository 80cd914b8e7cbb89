"""Accounts and registration: who is on the planet and in what role.

Roles: the operator (fixed at genesis), identity verifiers, businesses (registered by the
operator) and residents (registered with an unused invitation code). Residents become
verified when a verifier attests their identity with a nullifier, a keyed hash of their
ID number that blocks a second account for the same person.
"""
