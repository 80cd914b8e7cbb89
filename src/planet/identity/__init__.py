"""Real-name identity verification that keeps nothing but a nullifier.

The node's verifier is `planet.identity.service.IdentityService`: it proves the phone with a
one-time code and asks the identity authority before it attests. `verifier.verify_identity`
checks the details' form alone and is not exported here, so nothing attests without both.
"""

from planet.core.errors import IdentityRejected
from planet.identity.verifier import new_nullifier_key

__all__ = ["IdentityRejected", "new_nullifier_key"]
