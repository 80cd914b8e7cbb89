"""Documented JSON shapes of the main read endpoints, for OpenAPI (/docs) and clients.

They document what the core's queries return; they are not used to re-validate answers
at run time (that would cost every read and turn a drift into a 500). The schemathesis
test checks live answers against them.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, dict[str, Any]] = {
    "i": {"type": "integer"}, "s": {"type": "string"}, "b": {"type": "boolean"},
    "s?": {"type": ["string", "null"]}, "i?": {"type": ["integer", "null"]},
    "a": {"type": "array"}, "o": {"type": "object"}}


def obj(optional: tuple[str, ...] = (), **fields: str | dict[str, Any]) -> dict[str, Any]:
    """An object whose fields are all required unless named in `optional`."""
    props = {k: _TYPES[v] if isinstance(v, str) else v for k, v in fields.items()}
    return {"type": "object", "required": [k for k in props if k not in optional],
            "properties": props}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def ok(schema: dict[str, Any], description: str = "Successful Response", *,
       example: Any = None) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {200: {"description": description, "content": {"application/json": content}}}


HEALTH = obj(ok="b", height="i")
STATUS = obj(chain_id="s", height="i", app_hash="s", time="i", version="s", engine="s",
             mempool="i", last_block_hash="s?", genesis_time="i",
             timezone="s", state_synced_from="i?", identity_authority="s?",
             identity_authority_kind="s?", identity_code_sender="s?",
             identity_code_sender_kind="s?")
BLOCK = obj(height="i", hash="s", prev_hash="s", time="i", app_hash="s", tx_root="s",
            tx_count="i", proposer="s")
TX = obj(hash="s", height="i", index="i", tx="o", code="i", result="o")
ACCOUNT = obj(("name", "inviter", "invites_left", "verified", "verified_at"),
              address="s", kind="s", public_key="s", encryption_key="s", sequence="i",
              created_height="i", created_at="i", name="s", inviter="s", invites_left="i",
              verified="b", verified_at="i")
ACCOUNT_PAGE = obj(kind="s", offset="i", items=array(ACCOUNT))
HISTORY = obj(address="s", offset="i", items=array(TX))
ACTIVITY_ITEM = obj(height="i", seq="i", cursor="s", time="i", tx="s?", type="s",
                    attributes="o", amount_micro="i?", force="i?")
ACTIVITY = obj(address="s", items=array(ACTIVITY_ITEM), next_before="s?")
FORCE = obj(address="s", force="i", grants=array(_TYPES["o"]))
PROOF = obj(key="s", value="s?", height="i", app_hash="s",
            nodes=array(obj(bitmap="i", leafmap="i", siblings=array(_TYPES["s"]))),
            other_leaf={"type": ["object", "null"], "required": ["key_hash", "value_hash"],
                        "properties": {"key_hash": _TYPES["s"], "value_hash": _TYPES["s"]}})
PROVEN = obj(height="i", app_hash="s", reads=array(PROOF), scans=array(_TYPES["s"]))
HOLDER = obj(("proof",), address="s", balance_micro="i", pending_micro="i", force="i",
             force_in_pool="i", dormant="b", last_collect_at="i", dormant_at="i",
             dormant_in_ms="i", proof=PROVEN)
BUBBLES = obj(address="s", time="i", pending_micro="i", formula="s", residents_share_bps="i",
              bubbles=array(_TYPES["o"]))
SUPPLY = obj(time="i", height="i", emitted_micro="i", cap_micro="i", era="i",
             rate_micro_per_second="i", distributed_micro="i", carried_micro="i",
             collected_micro="i", active_force="i", jackpot_micro="i",
             jackpot_filled_micro="i", jackpot_paid_micro="i")
SCHEDULE = obj(genesis_time="i", end_time="i", time="i", height="i", cap_micro="i",
               halving_interval_ms="i", era="i", rate_micro_per_second="i",
               emitted_micro="i", distributed_micro="i", collected_micro="i",
               jackpot_filled_micro="i",
               points=array(obj(time="i", emitted_cap="i")))
CENSUS = obj(height="i", time="i", residents="i", active="i", dormant="i", inactive="i",
             total_force="i", active_force="i",
             force_histogram=array(obj(min="i", max="i?", count="i")))
TASK = obj(id="s", title="s", category="s", force="i", duration_days="i", limit="s",
           attester="s", enabled="b")
PAGE = obj(("total",), total="i", offset="i", items=array(_TYPES["o"]))
ATTESTED = obj(hash="s", height="i")
VERIFIER = obj(address="s", encryption_key="s", name="s", authority="s", authority_kind="s",
               code_sender="s", code_sender_kind="s", code_valid_s="i")
CODE_SENT = obj(sent="b", phone_ending="s", valid_s="i")
APPLICATION = obj(id="i", applicant="s", public_key="s", encryption_key="s", name="s",
                  contact="s", offers="s", status="s", applied_at="i", applied_height="i",
                  decided_at="i", decided_height="i", reason="s")
APPLICATIONS = obj(pending="i", items=array(APPLICATION), next_after="i?")
APPLICATION_OF = obj(address="s", sequence="i",
                     application={"anyOf": [APPLICATION, {"type": "null"}]})
