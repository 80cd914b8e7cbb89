"""/metrics on a real node process restarted over a chain it already holds: the height
gauge says where the chain is from the first scrape, the block counter says what this
process committed, and every request is labelled by its route (the web app's files as
`static`), never by the raw path a client sent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.nodeproc import NodeProcess, free_port, planet, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    """A demo chain of a few hundred blocks, served by a node started after it was made."""
    home = tmp_path_factory.mktemp("metrics") / "demo"
    port = free_port()
    planet("demo", "--no-run", "--home", str(home), "--port", str(port), "--residents", "30",
           "--days", "3", "--json")
    n = NodeProcess(home, port).start()
    yield n
    n.stop()


def samples(node: NodeProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{node.url}/metrics", timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(node: NodeProcess, name: str) -> float:
    return samples(node)[(name, ())]


def test_height_is_the_chains_from_the_start_and_moves_per_block(node: NodeProcess) -> None:
    held = httpx.get(f"{node.url}/v1/status", timeout=10).json()["height"]
    first = value(node, "planet_height")
    assert first >= held > 50  # the demo's blocks, before this process committed any
    assert value(node, "planet_blocks_committed_total") < first
    # the node makes an empty block every few seconds: the gauge follows the chain
    later = wait_until("a new block", lambda: (h := value(node, "planet_height")) > first and h,
                       timeout=30)
    assert later == pytest.approx(httpx.get(f"{node.url}/v1/status", timeout=10).json()
                                  ["height"], abs=2)
    assert value(node, "planet_blocks_committed_total") >= 1


def test_requests_are_labelled_by_route_never_by_raw_path(node: NodeProcess) -> None:
    with httpx.Client(base_url=node.url, timeout=10) as http:
        assert http.get("/").status_code == 200
        assert http.get("/docs").status_code == 200
        assert http.get("/openapi.json").status_code == 200
        assert http.get("/v1/supply").status_code == 200
        assert http.get("/no-such-file-7f3a.js").status_code == 404
        assert http.get("/v1/accounts/planet1qatd29x").status_code == 400
    counted = samples(node)
    text = httpx.get(f"{node.url}/metrics", timeout=10).text
    routes = {dict(labels)["route"] for (name, labels), _ in counted.items()
              if name == "planet_http_requests_total"}
    assert {"static", "/docs", "/openapi.json", "/v1/supply",
            "/v1/accounts/{address}", "unmatched"} <= routes
    assert ("planet_http_requests_total",
            (("method", "GET"), ("route", "static"), ("status", "200"))) in counted
    assert "7f3a" not in text and "qatd29x" not in text
    assert all(r in ("static", "unmatched") or r.startswith("/") for r in routes)
    assert not [r for r in routes if re.search(r"[0-9a-f]{12}", r)]
