"""State proofs: one record (or its absence) with the hashes that lead from it to the app
hash, and the genesis document a verifier re-runs a proven query with."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Path

from planet.api.context import ApiContext
from planet.api.errors import ERRORS
from planet.api.shapes import PROOF, ok
from planet.core.app import MAX_STATE_KEY
from planet.core.state import CommittedState

EXAMPLE_KEY = "emission/holder/planet1example007"


@cache
def example_proof() -> dict[str, Any]:
    """A real proof (one holder record among 300), so the documented example verifies."""
    records = [(f"emission/holder/planet1example{i:03d}",
                b'{"balance":%d,"dormant":false,"last_collect_at":0}' % (i * 1000))
               for i in range(300)]
    return CommittedState(records).prove(EXAMPLE_KEY, 42).to_json()


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1", tags=["proofs"], responses=ERRORS)

    @r.get("/proofs/{key:path}", responses=ok(PROOF, example=example_proof()),
           summary="A state record, or its absence, with its proof to the app hash",
           description=(
               "`key` is a state key as the rules write it (`module/table/id…`, visible "
               f"ASCII, at most {MAX_STATE_KEY} characters; anything else is a 400), e.g. "
               "`emission/holder/planet1…`. The answer is at the last committed block: "
               "`value` is the stored record in hex (null: absent), `height` that block, "
               "`app_hash` the app hash after it (its block record's `app_hash`; in "
               "CometBFT mode the next header's), `nodes` the tree nodes on the key's path, "
               "root first, each with its bitmap, leafmap and the hashes of its other "
               "children, and `other_leaf` the leaf that sits where an absent key would. "
               "Check it with `verify_proof` (Python SDK `planet.sdk.proofs`, browser SDK "
               "`verifyProof`) against an app hash you trust: it needs nothing else."))
    def proof(key: Annotated[str, Path(
            description="a state key, e.g. chain/meta", examples=["chain/meta"],
            json_schema_extra={"maxLength": MAX_STATE_KEY})]  # documented; checked by the node
              ) -> dict[str, Any]:
        return ctx.node.prove(key).to_json()

    @r.get("/genesis", summary="The genesis document",
           description="The rules and parameters the chain runs under. Its SHA-256 over "
                       "RFC 8785 is `genesis_hash` in the `chain/meta` record, which the app "
                       "hash commits to: a verifier re-running a proven query takes its "
                       "parameters from here and checks that hash.",
           responses=ok({"type": "object"}))
    def genesis() -> dict[str, Any]:
        return ctx.node.genesis.document

    return r
