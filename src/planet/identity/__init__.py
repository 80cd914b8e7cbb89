"""Real-name identity verification that keeps nothing but a nullifier."""

from planet.core.errors import IdentityRejected
from planet.identity.verifier import new_nullifier_key, verify_identity

__all__ = ["IdentityRejected", "new_nullifier_key", "verify_identity"]
