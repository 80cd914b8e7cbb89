"""Real-name identity verification that keeps nothing but a nullifier."""

from planet.identity.verifier import IdentityRejected, new_nullifier_key, verify_identity

__all__ = ["IdentityRejected", "new_nullifier_key", "verify_identity"]
