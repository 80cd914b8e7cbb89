"""POST /v1/txs and POST /v1/txs/batch answered at the ASGI edge (planet.api.txs_edge):
the same statuses, error codes and messages as the FastAPI route they stand in front of,
and the batch endpoint's per-tx results and refusals of malformed batches."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from planet.api.security import HEADERS
from planet.api.txs_edge import MAX_BATCH_TXS, LoopInbox, parse_options
from planet.engines.base import Submitted
from planet.sdk.client import NodeError, PlanetClient, TxOutcome
from planet.sdk.wallet import Wallet
from tests.integration.edge_api import MAX_BODY, Api, error_message, serving

OPERATOR = Wallet.generate()
SECURITY = {name: value.decode() for name, value in HEADERS}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("edge"), OPERATOR, start=True) as a:
        yield a


@pytest.fixture
def stalled(tmp_path: Path) -> Iterator[Api]:
    """A node whose sequencer never runs: txs are admitted and never committed."""
    with serving(tmp_path, OPERATOR, start=False) as a:
        yield a


def _refused(r: Any, code: int) -> str:
    """A check_tx refusal of POST /v1/txs: 400 {hash, check}."""
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"hash", "check"} and len(body["hash"]) == 64, body
    assert body["check"]["code"] == code, body
    return str(body["check"]["log"])


# --- POST /v1/txs at the edge -----------------------------------------------------------------


def test_a_tx_is_answered_by_the_edge_once_committed(api: Api) -> None:
    raw = api.invite_tx(OPERATOR, api.sequence(OPERATOR))
    r = api.client.post("/v1/txs", content=raw)
    assert api.answered[-1] == ("/v1/txs", 200)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"hash", "check", "committed"}
    assert body["check"]["code"] == 0 and body["committed"]["code"] == 0
    assert body["committed"]["hash"] == body["hash"]
    assert api.client.get(f"/v1/txs/{body['hash']}").json()["height"] == \
        body["committed"]["height"]
    assert r.headers["x-content-type-options"] == "nosniff"  # the outer middleware's
    assert 'route="/v1/txs",status="200"' in api.client.get("/metrics").text


def test_wait_false_answers_at_admission(api: Api) -> None:
    raw = api.invite_tx(OPERATOR, api.sequence(OPERATOR))
    r = api.client.post("/v1/txs", content=raw, params={"wait": "false"})
    assert api.answered[-1] == ("/v1/txs", 200)
    assert r.status_code == 200 and set(r.json()) == {"hash", "check"}
    api.node.wait_for(bytes.fromhex(r.json()["hash"])).result(timeout=30)


def test_refusals_keep_the_core_codes_and_messages(api: Api) -> None:
    seq = api.sequence(OPERATOR)
    used = api.invite_tx(OPERATOR, seq)
    assert api.client.post("/v1/txs", content=used).status_code == 200
    assert "sequence" in _refused(api.client.post("/v1/txs", content=api.invite_tx(
        OPERATOR, seq)), 107)
    assert "chain" in _refused(api.client.post("/v1/txs", content=api.invite_tx(
        OPERATOR, seq + 1, chain="planet-other")), 104)
    envelope = json.loads(api.invite_tx(OPERATOR, seq + 1))
    envelope["signature"] = json.loads(api.invite_tx(OPERATOR, seq + 2))["signature"]
    _refused(api.client.post("/v1/txs", content=json.dumps(envelope)), 105)
    extra = {**json.loads(api.invite_tx(OPERATOR, seq + 1)), "memo": "hi"}
    assert "memo" in _refused(api.client.post("/v1/txs", content=json.dumps(extra)), 102)
    text = api.invite_tx(OPERATOR, seq + 1).decode()
    twice = text[:-1] + ',"signature":"AAAA"}'
    assert "signature" in _refused(api.client.post("/v1/txs", content=twice), 114)
    assert "JSON" in _refused(api.client.post("/v1/txs", content=b"not json"), 101)
    assert all(a is not None and a[0] == "/v1/txs" for a in api.answered[-7:])


def test_oversize_bodies_are_413_with_the_routes_messages(api: Api) -> None:
    max_tx = api.node.genesis.params.max_tx_bytes
    message = f"a transaction is at most {max_tx} bytes (the chain's max_tx_bytes)"
    r = api.client.post("/v1/txs", content=b"{" * (max_tx + 1))
    assert error_message(r, 413, "BodyTooLarge", 913) == message
    chunked = api.client.post("/v1/txs", content=(b"[" * 4096 for _ in range(max_tx // 4096 + 2)))
    assert error_message(chunked, 413, "BodyTooLarge", 913) == message
    assert api.answered[-1] == ("/v1/txs", 413)
    at_limit = api.client.post("/v1/txs", content=b" " * max_tx, params={"wait": "false"})
    assert at_limit.status_code == 400  # read whole, then refused by check_tx
    over_all = api.client.post("/v1/txs", content=b"{" * (MAX_BODY + 1))  # the edge's own
    assert error_message(over_all, 413, "BodyTooLarge", 913) == \
        f"body of {MAX_BODY + 1} bytes; at most {MAX_BODY}"


def test_the_front_answers_with_security_headers_and_metrics(api: Api) -> None:
    """Ingress is answered in front of FastAPI's middleware (planet.api.edge.IngressFront):
    its answers, refusals and the edge's own 413 still carry the security headers once,
    and are counted by route; a query only FastAPI judges gets the headers from it."""
    metrics = api.app.front.metrics if api.app.front is not None else None
    assert metrics is not None
    before = metrics.requests.labels("/v1/txs", "POST", "200")._value.get()
    answers = [api.client.post("/v1/txs", content=api.invite_tx(OPERATOR, api.sequence(OPERATOR)),
                               params={"wait": "false"}),
               api.client.post("/v1/txs", content=b"not json"),
               api.client.post("/v1/txs/batch", content=b"{"),
               api.client.post("/v1/txs", content=b"{" * (MAX_BODY + 1)),
               api.client.post("/v1/txs?wait=maybe", content=b"not json")]
    assert [r.status_code for r in answers] == [200, 400, 400, 413, 422]
    for r in answers:
        assert r.headers.get_list("content-security-policy") == [SECURITY[b"content-security-policy"]]
        assert r.headers.get_list("x-content-type-options") == ["nosniff"]
        assert r.headers["referrer-policy"] == "no-referrer"
    assert metrics.requests.labels("/v1/txs", "POST", "200")._value.get() == before + 1
    assert metrics.requests.labels("unmatched", "POST", "413")._value.get() >= 1


@pytest.mark.parametrize("query", ["wait=false&wait=false", "wait=maybe", "timeout=0",
                                   "timeout=61", "timeout=1e1", "timeout=", "wait="])
def test_queries_the_edge_cannot_judge_go_to_fastapi(api: Api, query: str) -> None:
    before = len(api.answered)
    r = api.client.post(f"/v1/txs?{query}", content=b"not json")
    assert api.answered[before:] == [None]  # the edge declined; FastAPI answered
    if query in ("wait=false&wait=false", "timeout=1e1"):
        _refused(r, 101)  # valid for FastAPI: the same answer as the edge's
    else:
        assert json.loads(r.text)["error"] == "InvalidField" and r.status_code == 422


@pytest.mark.parametrize(("query", "expected"), [
    (b"", (True, 20.0)), (b"wait=false", (False, 20.0)), (b"wait=TRUE&timeout=5", (True, 5.0)),
    (b"timeout=0.5&other=1&other=2", (True, 0.5)), (b"wait=No", (False, 20.0)),
    (b"timeout=60", (True, 60.0)), (b"timeout=60.000001", None), (b"timeout=-1", None),
    (b"wait=2", None), (b"timeout=nan", None), (b"wait=true&wait=true", None)])
def test_parse_options_only_takes_what_fastapi_takes_alike(query: bytes, expected: Any) -> None:
    assert parse_options(query) == expected


def test_not_committed_in_time_is_202(stalled: Api) -> None:
    r = stalled.client.post("/v1/txs", content=stalled.invite_tx(OPERATOR, 0),
                            params={"timeout": "0.2"})
    assert r.status_code == 202, r.text
    assert set(r.json()) == {"hash", "check", "committed"}
    assert r.json()["committed"] is None and r.json()["check"]["code"] == 0


def _post_then_drop(api: Api, path: str, **kwargs: Any) -> Any:
    """Post in a thread; once the edge waits for the tx's commit, tell its waiters it was
    dropped (what the mempool's recheck does to a tx a block made invalid)."""
    answer: list[Any] = []
    waiter = threading.Thread(target=lambda: answer.append(api.client.post(
        path, params={"timeout": "30"}, **kwargs)))
    waiter.start()
    while not api.node._commits._waiters and waiter.is_alive():  # admitted, then awaited
        threading.Event().wait(0.01)
    for tx_hash in list(api.node._mempool):
        api.node._commits.drop([tx_hash])
    waiter.join(timeout=60)
    return answer[0]


def test_dropped_before_inclusion_is_409(stalled: Api) -> None:
    r = _post_then_drop(stalled, "/v1/txs", content=stalled.invite_tx(OPERATOR, 0))
    assert r.status_code == 409, r.text
    body = r.json()
    assert set(body) == {"hash", "check", "committed", "message"}
    assert body["committed"] is None
    assert body["message"] == "dropped from the mempool before inclusion"


def test_a_dropped_batch_tx_says_so_in_its_result(stalled: Api) -> None:
    r = _post_then_drop(stalled, "/v1/txs/batch",
                        json={"txs": [stalled.invite_tx(OPERATOR, 0).decode()]})
    assert r.status_code == 200, r.text
    (item,) = r.json()["results"]
    assert item["accepted"] and item["committed"] is None
    assert item["message"] == "dropped from the mempool before inclusion"


def test_batch_not_committed_in_time_is_202(stalled: Api) -> None:
    r = stalled.client.post("/v1/txs/batch", params={"timeout": "0.2"}, json={"txs": [
        stalled.invite_tx(OPERATOR, 0).decode(), "garbage"]})
    assert r.status_code == 202, r.text
    first, second = r.json()["results"]
    assert first["accepted"] and first["committed"] is None and "message" not in first
    assert not second["accepted"] and "committed" not in second


# --- POST /v1/txs/batch ---------------------------------------------------------------------


def test_a_mixed_batch_has_one_result_per_tx_in_order(api: Api) -> None:
    seq = api.sequence(OPERATOR)
    good = [api.invite_tx(OPERATOR, seq + i) for i in range(12)]
    bad_chain = api.invite_tx(OPERATOR, seq + 12, chain="planet-other")
    txs = [*good[:5], "not json", bad_chain.decode(), *[g.decode() for g in good[5:]],
           good[0].decode()]
    calls: list[int] = []
    submit_many = api.node.submit_many

    def counted(raws: Any) -> list[Submitted]:
        calls.append(len(raws))
        return submit_many(raws)

    api.node.submit_many = counted  # type: ignore[method-assign]
    try:
        r = api.client.post("/v1/txs/batch", json={"txs": [
            t if isinstance(t, str) else t.decode() for t in txs]})
    finally:
        del api.node.submit_many
    assert api.answered[-1] == ("/v1/txs/batch", 200)
    assert calls == [len(txs)]  # admitted together: signatures verified in one go
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["accepted"] for x in results] == [True] * 5 + [False, False] + [True] * 7 + [False]
    refused = [x["code"] for x in results if not x["accepted"]]
    assert refused[:2] == [101, 104]
    assert refused[2] in (112, 107)  # the repeat: still in the mempool, or in a block by now
    for x in results:
        assert len(x["hash"]) == 64 and x["check"]["code"] == x["code"]
        if x["accepted"]:
            assert x["committed"]["code"] == 0 and x["committed"]["hash"] == x["hash"]
            assert "message" not in x
        else:
            assert x["message"] == x["check"]["log"] and x["message"]
            assert "committed" not in x
    assert api.sequence(OPERATOR) == seq + 12


def test_a_batch_without_waiting_answers_at_admission(api: Api) -> None:
    seq = api.sequence(OPERATOR)
    r = api.client.post("/v1/txs/batch?wait=false", json={"txs": [
        api.invite_tx(OPERATOR, seq + i).decode() for i in range(3)]})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert all(x["accepted"] and "committed" not in x for x in results)
    api.node.wait_for(bytes.fromhex(results[-1]["hash"])).result(timeout=30)


@pytest.mark.parametrize(("body", "words"), [
    (b"not json", "not valid UTF-8 JSON"),
    (b"[]", "expected a JSON object"),
    (b'"txs"', "expected a JSON object"),
    (b"{}", "batch.txs: expected a list"),
    (b'{"txs": "abc"}', "batch.txs: expected a list"),
    (b'{"txs": {"0": "abc"}}', "batch.txs: expected a list"),
    (b'{"txs": []}', "empty"),
    (b'{"txs": [1]}', "batch.txs[0]: expected a string"),
    (b'{"txs": ["{}", {"body": {}}]}', "batch.txs[1]: expected a string"),
    (b'{"txs": ["{}", null]}', "got null"),
    (b'{"txs": ["{}"], "wait": true}', "unknown field 'wait'"),
    (b'{"txs": ["{}"], "txs": ["{}"]}', "repeats"),
])
def test_a_malformed_batch_is_400_saying_why(api: Api, body: bytes, words: str) -> None:
    pending = api.node.mempool_size()
    r = api.client.post("/v1/txs/batch", content=body)
    assert words in error_message(r, 400, "InvalidField", 111)
    assert api.answered[-1] == ("/v1/txs/batch", 400)
    assert api.node.mempool_size() <= pending


def test_a_batch_over_the_count_is_400(api: Api) -> None:
    r = api.client.post("/v1/txs/batch", json={"txs": ["{}"] * (MAX_BATCH_TXS + 1)})
    message = error_message(r, 400, "InvalidField", 111)
    assert f"at most {MAX_BATCH_TXS}" in message and str(MAX_BATCH_TXS + 1) in message
    full = api.client.post("/v1/txs/batch?wait=false", json={"txs": ["{}"] * MAX_BATCH_TXS})
    assert full.status_code == 200 and len(full.json()["results"]) == MAX_BATCH_TXS
    assert not any(x["accepted"] for x in full.json()["results"])


def test_a_batch_over_the_size_is_413(api: Api) -> None:
    big = json.dumps({"txs": ["x" * 1000] * (MAX_BODY // 1000 + 1)}).encode()
    message = error_message(api.client.post("/v1/txs/batch", content=big), 413, "BodyTooLarge", 913)
    assert message == f"body of {len(big)} bytes; at most {MAX_BODY}"  # the edge's own limit
    chunked = api.client.post("/v1/txs/batch", content=(big[i:i + 8192]
                                                        for i in range(0, len(big), 8192)))
    assert error_message(chunked, 413, "BodyTooLarge", 913) == (
        f"a batch is at most {MAX_BODY} bytes (the node's http_limits.max_body_bytes); "
        "send it in parts")
    assert api.answered[-1] == ("/v1/txs/batch", 413)


def test_the_fastapi_routes_answer_alike(api: Api) -> None:
    """With a query only FastAPI judges (a repeated name), the routes answer, with the same
    TxIngress: the same shapes and statuses as the edge."""
    seq = api.sequence(OPERATOR)
    edge = api.client.post("/v1/txs/batch", json={"txs": ["nope", api.invite_tx(
        OPERATOR, seq).decode()]})
    routed = api.client.post("/v1/txs/batch?wait=true&wait=true", json={"txs": [
        "nope", api.invite_tx(OPERATOR, seq + 1).decode()]})
    assert api.answered[-2:] == [("/v1/txs/batch", 200), None]
    assert edge.status_code == routed.status_code == 200
    for a, b in zip(edge.json()["results"], routed.json()["results"], strict=True):
        assert set(a) == set(b) and a["accepted"] == b["accepted"] and a["code"] == b["code"]
    malformed = api.client.post("/v1/txs/batch?wait=true&wait=true", content=b"{}")
    assert "batch.txs" in error_message(malformed, 400, "InvalidField", 111)
    big = api.client.post("/v1/txs?wait=true&wait=true",
                          content=(b"[" * 4096 for _ in range(40)))
    assert error_message(big, 413, "BodyTooLarge", 913).startswith("a transaction is at most")


def test_the_sdk_submits_a_batch(api: Api) -> None:
    sdk = PlanetClient("http://testserver")
    sdk.http = api.client
    sdk.http.base_url = "http://testserver/v1"
    try:
        seq = api.sequence(OPERATOR)
        outcomes = sdk.submit_batch([api.invite_tx(OPERATOR, seq), b"{}",
                                     api.invite_tx(OPERATOR, seq + 1)])
        first, refused, last = outcomes
        assert isinstance(first, TxOutcome) and first.ok and first.height is not None
        assert isinstance(last, TxOutcome) and last.ok
        assert isinstance(refused, NodeError) and refused.status == 400 and refused.code != 0
        assert refused.message
        pending = sdk.submit_batch([api.invite_tx(OPERATOR, seq + 2)], wait=False)
        assert isinstance(pending[0], TxOutcome) and pending[0].height is None
        with pytest.raises(NodeError) as err:
            sdk.submit_batch([])
        assert err.value.status == 400 and "empty" in err.value.message
    finally:
        api.client.base_url = "http://testserver"


def test_a_blocks_outcomes_wake_the_loop_once() -> None:
    """The engine's thread hands a block's outcomes to the loop with one wake-up; each
    reaches its settle on the loop, in order, and a later block wakes it again."""

    class Loop:
        def __init__(self) -> None:
            self.scheduled: list[Any] = []

        def call_soon_threadsafe(self, fn: Any) -> None:
            self.scheduled.append(fn)

    loop = Loop()
    inbox = LoopInbox(loop)  # type: ignore[arg-type]
    settled: list[tuple[int, Any]] = []
    futures = [Future[Any]() for _ in range(100)]
    for i, fut in enumerate(futures):
        fut.add_done_callback(inbox.callback(lambda i, r: settled.append((i, r)), i))
    block = threading.Thread(target=lambda: [f.set_result(f"record {i}")
                                             for i, f in enumerate(futures)])
    block.start()
    block.join()
    assert len(loop.scheduled) == 1 and settled == []
    loop.scheduled.pop()()
    assert settled == [(i, f"record {i}") for i in range(100)]
    late = Future[Any]()
    late.add_done_callback(inbox.callback(lambda i, r: settled.append((i, r)), 100))
    late.set_result(None)
    assert len(loop.scheduled) == 1
    loop.scheduled.pop()()
    assert settled[-1] == (100, None)
