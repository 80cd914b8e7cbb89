"""Which addresses an event concerns and what it moved for each (planet.storage.activity),
and the webhook events a block's begin step gives (planet.webhooks.events)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from planet.storage.activity import activity_rows, addresses_in, amounts, chain_events
from planet.webhooks.events import derive_events

A = "planet1aaaa"
B = "planet1bbbb"
C = "planet1cccc"


def test_an_event_concerns_every_address_it_names_once_including_in_lists() -> None:
    assert addresses_in({"resident": A, "business": B, "winners": [A, C], "round": 3,
                         "note": "hello"}) == [A, B, C]
    assert addresses_in({"round": 1, "winners": []}) == []


def test_amounts_are_signed_from_the_address_side() -> None:
    redeemed = {"redemption": 1, "offer": 1, "resident": A, "business": B, "price": 5}
    assert amounts("exchange/redeemed", redeemed, A) == (-5, None)
    assert amounts("exchange/redeemed", redeemed, B) == (5, None)
    refunded = {"redemption": 1, "resident": A, "business": B, "amount": 5}
    assert amounts("exchange/refunded", refunded, A) == (5, None)
    assert amounts("exchange/refunded", refunded, B) == (-5, None)
    drawn = {"round": 2, "winners": [A, C], "prize_each": 7, "entries": 9}
    assert amounts("drill/drawn", drawn, C) == (7, None)
    assert amounts("drill/drawn", drawn, B) == (None, None)
    assert amounts("drill/entered", {"resident": A, "force_paid": 3}, A) == (None, -3)
    assert amounts("force/grant_expired", {"resident": A, "force": 4}, A) == (None, -4)
    assert amounts("force/granted", {"resident": A, "force": 4}, A) == (None, 4)
    assert amounts("exchange/request_expired", {"business": B, "refunded": 9}, B) == (9, None)
    assert amounts("accounts/registered", {"resident": A, "inviter": B}, B) == (None, None)


def test_chain_order_puts_begin_step_events_first_and_skips_failed_txs() -> None:
    events = list(chain_events(
        [{"type": "drill/drawn", "attributes": {"winners": [A], "prize_each": 2}}],
        [(0, 0, {"events": [{"type": "emission/collected",
                             "attributes": {"resident": A, "amount": 4}}]}),
         (1, 5, {"events": [{"type": "emission/collected", "attributes": {"resident": B}}]}),
         (2, 0, {"events": [{"type": "force/granted",
                             "attributes": {"resident": A, "force": 1}}]})]))
    assert [(e.seq, e.tx_index, e.index, e.type) for e in events] == [
        (0, None, 0, "drill/drawn"), (1, 0, 0, "emission/collected"), (2, 2, 0, "force/granted")]
    assert activity_rows(9, events) == [
        (A, 9, 0, None, 0, "drill/drawn", 2, None), (A, 9, 1, 0, 0, "emission/collected", 4, None),
        (A, 9, 2, 2, 0, "force/granted", None, 1)]


@dataclass
class Block:
    height: int
    time: int
    events: tuple[dict[str, Any], ...] = field(default=())


@dataclass
class Tx:
    hash: bytes
    idx: int
    code: int
    result: dict[str, Any]


def test_an_expiry_in_the_begin_step_is_request_closed_expired_with_its_own_id_form() -> None:
    expired = {"type": "exchange/request_expired",
               "attributes": {"request": 4, "business": B, "refunded": 3, "lapsed": 1}}
    closed = {"type": "exchange/request_closed",
              "attributes": {"request": 5, "business": B, "refunded": 0, "lapsed": 0}}
    made = derive_events(Block(12, 1_000), [Tx(b"\x01" * 32, 0, 0, {"events": [closed]})],
                         [{"type": "force/grant_expired", "attributes": {"resident": A}},
                          expired])
    assert [e.id for e in made] == ["evt_12_b_1", "evt_12_0_0"]
    first, second = (json.loads(e.body) for e in made)
    assert first["data"] == {"request": 4, "business": B, "refunded": 3, "lapsed": 1,
                             "status": "expired", "tx": None}
    assert second["data"]["status"] == "closed" and second["data"]["tx"] == "01" * 32
    assert all(e.business == B and e.height == 12 for e in made)
