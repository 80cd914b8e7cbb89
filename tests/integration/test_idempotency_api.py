"""`Idempotency-Key` on POST /v1/txs and /v1/txs/batch (issue 17, item 6), over a real
embedded node: a retry gets the first answer, not a "sequence reused" refusal per tx; the
same key with another body is a 422; a malformed key a 400; a kept 202 is brought up to date;
the FastAPI routes (what the edge leaves to them) do the same; the SDK sends the key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from planet.api.idempotency import REPLAYED
from planet.sdk.client import NodeError, PlanetClient, TxOutcome, new_idempotency_key
from planet.sdk.wallet import Wallet
from tests.integration.edge_api import Api, error_message, serving
from tests.integration.nodeproc import wait_until

OPERATOR = Wallet.generate()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("idem"), OPERATOR, start=True) as a:
        yield a


@pytest.fixture
def stalled(tmp_path: Path) -> Iterator[Api]:
    with serving(tmp_path, OPERATOR, start=False) as a:
        yield a


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


@pytest.mark.parametrize("query", ["", "?wait=true&wait=true"])  # the edge, then the routes
def test_a_retried_batch_gets_the_first_answer_not_a_second_submission(api: Api, query: str
                                                                       ) -> None:
    seq = api.sequence(OPERATOR)
    body = {"txs": [api.invite_tx(OPERATOR, seq + i).decode() for i in range(3)] + ["nope"]}
    headers = key()
    first = api.client.post(f"/v1/txs/batch{query}", json=body, headers=headers)
    assert first.status_code == 200 and REPLAYED not in first.headers
    results = first.json()["results"]
    assert [r["accepted"] for r in results] == [True, True, True, False]
    assert all(r["committed"]["code"] == 0 for r in results[:3])
    again = api.client.post(f"/v1/txs/batch{query}", json=body, headers=headers)
    assert again.status_code == 200 and again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    assert api.sequence(OPERATOR) == seq + 3
    without = api.client.post(f"/v1/txs/batch{query}", json=body)  # what a retry got before
    assert [r["code"] for r in without.json()["results"][:3]] == [107, 107, 107]


def test_the_same_key_with_another_body_is_a_422(api: Api) -> None:
    seq = api.sequence(OPERATOR)
    headers = key()
    assert api.client.post("/v1/txs", content=api.invite_tx(OPERATOR, seq),
                           headers=headers).status_code == 200
    other = api.client.post("/v1/txs", content=api.invite_tx(OPERATOR, seq + 1), headers=headers)
    assert "different request" in error_message(other, 422, "IdempotencyKeyReused", 961)
    batch = api.client.post("/v1/txs/batch", json={"txs": ["x"]}, headers=headers)
    assert error_message(batch, 422, "IdempotencyKeyReused", 961)  # another route is another request
    assert api.sequence(OPERATOR) == seq + 1  # nothing of the refused ones was submitted


@pytest.mark.parametrize("value", [b"", b"has space", b"k" * 129, "ключ".encode()])
def test_a_malformed_key_is_a_400_and_nothing_is_submitted(api: Api, value: bytes) -> None:
    seq = api.sequence(OPERATOR)
    r = api.client.post("/v1/txs", content=api.invite_tx(OPERATOR, seq),
                        headers={"Idempotency-Key": value})  # type: ignore[dict-item]
    assert "1 to 128 characters" in error_message(r, 400, "IdempotencyKeyInvalid", 960)
    assert api.sequence(OPERATOR) == seq


def test_two_keys_are_a_400(api: Api) -> None:
    seq = api.sequence(OPERATOR)
    r = api.client.post("/v1/txs", content=api.invite_tx(OPERATOR, seq),
                        headers=[("Idempotency-Key", "a"), ("Idempotency-Key", "b")])
    assert "one header, got 2" in error_message(r, 400, "IdempotencyKeyInvalid", 960)


def test_a_kept_refusal_is_replayed_too(api: Api) -> None:
    headers = key()
    first = api.client.post("/v1/txs/batch", content=b"{}", headers=headers)
    again = api.client.post("/v1/txs/batch", content=b"{}", headers=headers)
    assert first.status_code == again.status_code == 400
    assert first.json() == again.json() and again.headers[REPLAYED] == "true"


def test_a_kept_202_is_brought_up_to_date_once_committed(stalled: Api) -> None:
    headers = key()
    body = {"txs": [stalled.invite_tx(OPERATOR, 0).decode()]}
    first = stalled.client.post("/v1/txs/batch", params={"timeout": "0.2"}, json=body,
                                headers=headers)
    assert first.status_code == 202 and first.json()["results"][0]["committed"] is None
    still = stalled.client.post("/v1/txs/batch", json=body, headers=headers)
    assert still.status_code == 202 and still.headers[REPLAYED] == "true"
    stalled.node.start()
    (item,) = first.json()["results"]
    wait_until("the tx committed", lambda: stalled.node.store.get_tx(bytes.fromhex(item["hash"])))
    later = stalled.client.post("/v1/txs/batch", json=body, headers=headers)
    assert later.status_code == 200 and later.headers[REPLAYED] == "true"
    assert later.json()["results"][0]["committed"]["code"] == 0


def test_the_sdk_sends_the_key(api: Api) -> None:
    sdk = PlanetClient("http://testserver")
    sdk.http = api.client
    sdk.http.base_url = "http://testserver/v1"
    try:
        seq = api.sequence(OPERATOR)
        raws = [api.invite_tx(OPERATOR, seq), api.invite_tx(OPERATOR, seq + 1)]
        k = new_idempotency_key()
        first = sdk.submit_batch(raws, idempotency_key=k)
        again = sdk.submit_batch(raws, idempotency_key=k)
        assert all(isinstance(o, TxOutcome) and o.ok for o in first + again)
        assert [o.hash for o in first] == [o.hash for o in again]  # type: ignore[union-attr]
        with pytest.raises(NodeError) as err:
            sdk.submit_batch(raws[:1], idempotency_key=k)
        assert err.value.status == 422 and err.value.code == 961
        one = api.invite_tx(OPERATOR, seq + 2)
        assert sdk.submit(one, idempotency_key=k + "-1").ok
        assert sdk.submit(one, idempotency_key=k + "-1").ok  # not "sequence reused"
    finally:
        api.client.base_url = "http://testserver"
