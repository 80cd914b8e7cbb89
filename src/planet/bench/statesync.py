"""`planet bench statesync`: how long a node takes to join a running 4-validator network by
state sync, at two chain lengths with the same state, and (for contrast) by replaying every
block, at the same lengths.

One network on loopback (`planet testnet`, short blocks: timeout_commit 100 ms, empty blocks
at once) takes a snapshot every `interval` blocks. `residents` resident registrations make the
state first; then, for each chain length L, once the validators are at height L a new node
joins (`Testnet.join`) and is timed from the start of its processes until its app holds a
block above validator 0's height at that start, with the same app hash as validator 0's
(`Testnet.wait_agree`): caught up, agreeing. `restored_s` is when its API first says it
was state-synced. Each joined node is stopped before the next is measured, so they do not
share the machine; at each length a node that replays every block joins right after the
state-syncing one. State sync's cost is the discovery wait (5 s, CometBFT's minimum), the
light client's checks, the chunks and the blocks made meanwhile: none of it depends on the
chain's length, while a replay re-executes every block.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from planet.bench.common import machine, sig
from planet.bench.load import make_invites, post_all, sign_registrations
from planet.engines.binary import COMETBFT_VERSION
from planet.engines.snapshots import SnapshotStore, snapshot_dir
from planet.sdk.keys import load_keystore
from planet.testnet.network import STATESYNC_DISCOVERY, Testnet, TestnetError, free_base_port

CHAIN = "planet-bench-statesync"
TIMEOUT_COMMIT = "100ms"
VALIDATORS = 4


def snapshot_bytes(db_file: Path) -> tuple[int, int]:
    """(height, bytes of its chunks) of the newest snapshot a node holds."""
    kept = SnapshotStore(snapshot_dir(db_file), clean=False)
    newest = kept.list()
    if not newest:
        return 0, 0
    folder = kept.folder / str(newest[0].height)
    size = sum(p.stat().st_size for p in folder.iterdir() if p.name != "manifest.json")
    return newest[0].height, size


def synced_from(url: str) -> int | None:
    try:
        value = httpx.get(f"{url}/v1/status", timeout=2).json().get("state_synced_from")
    except (httpx.HTTPError, ValueError):
        return None
    return None if value is None else int(value)


def time_join(net: Testnet, statesync: bool, timeout: float) -> dict[str, Any]:
    """Join one node, time it until it agrees with validator 0, stop it."""
    ref = net.validators[0]
    length = net.height(ref)
    head = net.app_height(ref)  # the node must hold the state past it: caught up
    snapshot_height, size = snapshot_bytes(ref.db_file)
    t0 = time.perf_counter()
    node = net.join(statesync=statesync, timeout=timeout)
    restored_s: float | None = None
    try:
        deadline = t0 + timeout
        while statesync and restored_s is None and time.perf_counter() < deadline:
            if synced_from(node.api_url) is not None:
                restored_s = time.perf_counter() - t0
            else:
                time.sleep(0.05)
        height = net.wait_agree(node, ref, max(1.0, deadline - time.perf_counter()),
                                above=head)
        seconds = time.perf_counter() - t0
        synced = net.synced_from(node)
    finally:
        net.stop_node(node, grace=5)
    return {"mode": "statesync" if statesync else "replay", "chain_length": length,
            "newest_snapshot": snapshot_height, "snapshot_bytes": size,
            "state_synced_from": synced, "agreed_at_height": height,
            "restored_s": None if restored_s is None else sig(restored_s),
            "seconds": sig(seconds)}


def run_statesync_bench(*, residents: int = 500, lengths: Sequence[int] = (50, 500),
                        interval: int = 10, replay: bool = True, timeout: float = 300.0,
                        progress: bool = False) -> dict[str, Any]:
    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr, flush=True)) \
        if progress else (lambda m: None)
    if sorted(lengths) != list(lengths) or len(lengths) < 2:
        raise TestnetError("give two or more increasing chain lengths")
    folder = Path(tempfile.mkdtemp(prefix="planet-bench-statesync-"))
    joins = len(lengths) * (2 if replay else 1)
    base = free_base_port(VALIDATORS + joins)
    t_all = time.perf_counter()
    net = Testnet.create(folder / "net", VALIDATORS, base, CHAIN, timeout_commit=TIMEOUT_COMMIT,
                         empty_blocks_interval="0s", drill_operator=False,
                         snapshot_interval=interval)
    try:
        say(f"starting {VALIDATORS} validators (ports from {base})")
        net.start_and_wait(timeout=120, api_timeout=60)
        v0 = net.validators[0]
        operator = load_keystore(v0.home / "keys" / "operator.json", None)
        say(f"{residents} residents")
        codes = make_invites(v0.api_url, operator, CHAIN, residents)
        _w, raws = sign_registrations(codes, CHAIN)
        posted = post_all([v.api_port for v in net.validators], raws, clients=32,
                          keep_hashes=False)
        if posted["committed_ok"] != residents:
            raise TestnetError(f"registrations failed: {posted}")
        results: list[dict[str, Any]] = []
        replays: list[dict[str, Any]] = []
        for length in lengths:
            say(f"waiting for height {length}")
            net.wait_height(length, timeout=timeout)
            say(f"joining by state sync at height {net.height(v0)}")
            results.append(time_join(net, True, timeout))
            say(f"  agreed after {results[-1]['seconds']} s")
            if replay:
                say(f"joining by replaying every block at height {net.height(v0)}")
                replays.append(time_join(net, False, timeout))
                say(f"  agreed after {replays[-1]['seconds']} s")
    finally:
        net.stop(grace=5)
        shutil.rmtree(folder, ignore_errors=True)

    def ratio(points: list[dict[str, Any]]) -> float | None:
        if not points:
            return None
        return sig(points[-1]["seconds"] / max(points[0]["seconds"], 1e-9))

    return {
        "benchmark": "statesync", "machine": machine(),
        "settings": {"validators": VALIDATORS, "residents": residents,
                     "snapshot_interval": interval, "timeout_commit": TIMEOUT_COMMIT,
                     "discovery_time": STATESYNC_DISCOVERY, "cometbft": COMETBFT_VERSION},
        "statesync": results,
        "replay": replays,
        "ratio_longest_to_shortest": ratio(results),
        "replay_ratio_longest_to_shortest": ratio(replays),
        "chain_length_ratio": sig(results[-1]["chain_length"]
                                  / max(results[0]["chain_length"], 1)),
        "seconds_total": sig(time.perf_counter() - t_all),
    }
