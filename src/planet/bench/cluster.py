"""`planet bench cluster`: finalized transactions per second and submit→commit latency of a
4-validator CometBFT network on loopback, and of the embedded engine, in the same run.

Both sides get the same load: resident registrations (one tx each, fresh keys, signed before
the clock starts) posted through the HTTP API by concurrent keep-alive connections with
``wait=true`` (each client posts its next tx once the previous one is committed). Such a
closed loop finalizes at most clients / latency txs per second, so each side gets enough
clients to keep its cores busy rather than to wait: the network's latency is about two
blocks against the embedded node's one, and it gets ``cluster_clients`` (4× the embedded
side's ``clients`` by default). ``cores_busy`` (CPU seconds of every process over the wall
time) shows whether a run was bound by the machine or by its clients. For the network the
clients are spread evenly over the validators' APIs, so
every validator admits a share of the load and relays it to CometBFT's mempool (RPC
``broadcast_tx_sync``). The rate is committed-OK transactions over the time from the first
post to the last answer; latency is post to committed answer.

- ``embedded``: one `planet node` process (the embedded engine, 200 ms blocks), a fresh home;
- ``cluster``: `planet testnet`'s network (timeout_commit 300 ms), each validator a CometBFT
  process and a `planet node --engine cometbft` process, all on this machine: 2·N processes
  plus the load generator share its cores, which a real consortium (one machine per
  validator) does not. The Lucky Drill operator is off on both sides.

- ``kvstore``: the fair baseline (issue 14), run first in the same run on the same machine:
  CometBFT's built-in ``kvstore`` app as a network of as many validators, configured by the
  same `cometbft_config` (``timeout_commit`` 300 ms, same mempool and log level), loaded at
  saturation by CometBFT's ``loadtime`` client (``load``, scripts/install-loadtime) with
  ``broadcast_tx_async`` over every validator's websocket, txs as large as our registrations.
  Its rate is the txs committed from the start of the load until every validator's mempool
  is empty again, over that time, as our side counts from the first post to the last
  commit: an open-loop client at saturation leaves a backlog, and it is part of the load.
  ``ratio_vs_kvstore`` is the network's committed/s over the kvstore network's: what share of
  what the engine alone carries on this machine our app keeps (target 0.5).

After the load the network's validators are checked to report one app hash at a common
height. ``cpu_ms_per_tx`` is the CPU (user + system, from /proc) each kind of process spent
per committed transaction during the load, all validators together, and
``cpu_ms_per_tx_per_process`` the same for one process of each kind (divided by the
validators): it shows where a shared machine's cores go and what one validator per machine
would need. The machine is reported.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from planet.bench.api import CHAIN as EMBEDDED_CHAIN
from planet.bench.api import NodeProc, free_port
from planet.bench.common import machine, sig
from planet.bench.load import make_invites, post_all, sign_registrations
from planet.engines.binary import COMETBFT_VERSION
from planet.node.home import NodeConfig
from planet.sdk.client import new_invite_codes
from planet.sdk.keys import load_keystore
from planet.testnet.kvstore import KvstoreNet, block_txs, find_loadtime, loadtime_argv
from planet.testnet.network import Testnet, TestnetError, free_base_port

CLUSTER_CHAIN = "planet-bench-cluster"
TARGET_TX_PER_S = 3_000
TARGET_RATIO_VS_KVSTORE = 0.5
TIMEOUT_COMMIT = "300ms"
DRAIN_TIMEOUT_S = 180.0
"""How long the kvstore network may take to commit the backlog the load left."""


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds a process has used so far (0 if it is gone)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms_per_tx(before: dict[str, float], after: dict[str, float],
                  txs: int) -> dict[str, float]:
    return {k: sig((after[k] - before[k]) * 1000 / max(txs, 1)) for k in before}


def per_process(per_tx: dict[str, float], validators: int) -> dict[str, float]:
    """CPU per tx of one process of each kind: the network's kinds over `validators`."""
    return {k: sig(v / validators) if k != "load_generator" else v for k, v in per_tx.items()}


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (the load client once it exits)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cores_busy(before: dict[str, float], after: dict[str, float], seconds: float) -> float:
    """Cores the processes kept busy on average: near the machine's count when CPU-bound."""
    return sig(sum(after[k] - before[k] for k in before) / max(seconds, 1e-9))


def bench_embedded(folder: Path, txs: int, clients: int,
                   say: Callable[[str], None]) -> dict[str, Any]:
    node = NodeProc(folder, free_port())
    try:
        operator = load_keystore(node.home.keys_dir / "operator.json", None)
        say(f"embedded: node up at {node.url}; {txs} invitation codes")
        codes = make_invites(node.url, operator, EMBEDDED_CHAIN, txs)
        _w, raws = sign_registrations(codes, EMBEDDED_CHAIN)
        say(f"embedded: {txs} registrations, {clients} clients")
        before = {"node": cpu_seconds(node.proc.pid), "load_generator": cpu_seconds(os.getpid())}
        result = post_all([node.port], raws, clients, keep_hashes=False)
        after = {"node": cpu_seconds(node.proc.pid), "load_generator": cpu_seconds(os.getpid())}
        result["cpu_ms_per_tx"] = cpu_ms_per_tx(before, after, result["committed_ok"])
        result["cores_busy"] = cores_busy(before, after, result["seconds"])
        result["final_height"] = httpx.get(f"{node.url}/v1/status", timeout=10).json()["height"]
    finally:
        node.stop()
    result["block_interval_ms"] = NodeConfig().block_interval_ms
    return result


def bench_kvstore(folder: Path, validators: int, base_port: int, seconds: int,
                  connections: int, rate: int, tx_bytes: int,
                  say: Callable[[str], None]) -> dict[str, Any]:
    """CometBFT's kvstore network at saturation under `load` (see the module's docstring)."""
    loadtime = find_loadtime()
    if loadtime is None:
        raise TestnetError("CometBFT's loadtime client (load) not found; run "
                           "scripts/install-loadtime (or set PLANET_LOADTIME)")
    net = KvstoreNet.create(folder, validators, base_port, timeout_commit=TIMEOUT_COMMIT)
    try:
        say(f"kvstore: starting {validators} validators (ports from {base_port})")
        net.start()
        net.wait_height(2, timeout=60)
        ref = net.validators[0]
        argv = loadtime_argv(loadtime, [v.rpc_port for v in net.validators], seconds=seconds,
                             connections=connections, rate=rate, size=tx_bytes)
        say(f"kvstore: loadtime for {seconds} s, {connections * rate * validators} tx/s offered")

        def cpu() -> dict[str, float]:
            return {"cometbft": sum(cpu_seconds(net.pid(v)) for v in net.validators),
                    "load_generator": children_cpu()}

        start_height = net.height(ref)
        before = cpu()
        t0 = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
        load_seconds = time.perf_counter() - t0
        if out.returncode != 0:
            raise TestnetError(f"loadtime failed ({out.returncode}): {out.stderr[-1500:]}")
        # Until every accepted tx is committed, as our side's clients wait for theirs: the
        # backlog a saturating open-loop client leaves is part of what the network carries.
        drained = net.wait_drained(timeout=DRAIN_TIMEOUT_S)
        elapsed = time.perf_counter() - t0
        after = cpu()
        end_height = net.height(ref)
        txs, _counts = block_txs(ref.rpc_url, start_height + 1, end_height)
        common = min(net.height(v) for v in net.validators)
        hashes = {httpx.get(f"{v.rpc_url}/block", params={"height": common}, timeout=10)
                  .json()["result"]["block"]["header"]["app_hash"] for v in net.validators}
    finally:
        net.stop()
    per_tx = cpu_ms_per_tx(before, after, txs)
    return {"committed": txs, "seconds": sig(elapsed), "load_seconds": sig(load_seconds),
            "drained": drained,
            "committed_per_s": sig(txs / elapsed) if elapsed > 0 else 0.0,
            "blocks": end_height - start_height,
            "offered_tx_per_s": connections * rate * validators,
            "tx_bytes": tx_bytes, "connections_per_validator": connections,
            "cpu_ms_per_tx": per_tx, "cpu_ms_per_tx_per_process": per_process(per_tx, validators),
            "cores_busy": cores_busy(before, after, elapsed),
            "validators_agree": len(hashes) == 1, "validators": validators,
            "timeout_commit": TIMEOUT_COMMIT, "client": "cometbft loadtime (broadcast_tx_async)"}


def bench_network(folder: Path, txs: int, clients: int, validators: int, base_port: int,
                  say: Callable[[str], None]) -> dict[str, Any]:
    net = Testnet.create(folder, validators, base_port, CLUSTER_CHAIN,
                         timeout_commit=TIMEOUT_COMMIT, drill_operator=False)
    try:
        say(f"cluster: starting {validators} validators (ports from {base_port})")
        net.start_and_wait(timeout=120, api_timeout=60)
        operator = load_keystore(net.validators[0].home / "keys" / "operator.json", None)
        say(f"cluster: {txs} invitation codes")
        codes = make_invites(net.validators[0].api_url, operator, CLUSTER_CHAIN, txs)
        _w, raws = sign_registrations(codes, CLUSTER_CHAIN)
        start_height = min(net.height(v) for v in net.validators)
        say(f"cluster: {txs} registrations, {clients} clients over {validators} APIs")
        def cpu() -> dict[str, float]:
            return {"apps": sum(cpu_seconds(net.pid(v, "app")) for v in net.validators),
                    "cometbft": sum(cpu_seconds(net.pid(v, "cometbft"))
                                    for v in net.validators),
                    "load_generator": cpu_seconds(os.getpid())}

        before = cpu()
        result = post_all([v.api_port for v in net.validators], raws, clients,
                          keep_hashes=False)
        after = cpu()
        result["cpu_ms_per_tx"] = cpu_ms_per_tx(before, after, result["committed_ok"])
        result["cpu_ms_per_tx_per_process"] = per_process(result["cpu_ms_per_tx"], validators)
        result["cores_busy"] = cores_busy(before, after, result["seconds"])
        end_height = max(net.height(v) for v in net.validators)
        result["blocks"] = end_height - start_height
        common = min(net.height(v) for v in net.validators) - 1
        hashes = set()
        for v in net.validators:
            r = httpx.get(f"{v.rpc_url}/block", params={"height": common}, timeout=10)
            hashes.add(r.json()["result"]["block"]["header"]["app_hash"])
        result["validators_agree"] = len(hashes) == 1
        result["checked_height"] = common
        result["final_height"] = end_height
    finally:
        net.stop(grace=5)
    result["validators"] = validators
    result["timeout_commit"] = TIMEOUT_COMMIT
    return result


def run_cluster_bench(*, txs: int = 6_000, clients: int = 256,
                      cluster_clients: int | None = None, validators: int = 4,
                      base_port: int | None = None, kvstore_seconds: int = 30,
                      kvstore_connections: int = 1, kvstore_rate: int = 1_000,
                      embedded: bool = True, progress: bool = False) -> dict[str, Any]:
    """The kvstore baseline, then (unless not `embedded`) the embedded node, then our
    network; `kvstore_rate` txs/s on each of `kvstore_connections` per validator."""
    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr, flush=True)) \
        if progress else (lambda m: None)
    folder = Path(tempfile.mkdtemp(prefix="planet-bench-cluster-"))
    try:
        t0 = time.perf_counter()
        tx_bytes = len(sign_registrations(new_invite_codes(1), CLUSTER_CHAIN)[1][0])
        kvstore = bench_kvstore(folder / "kvstore", validators,
                                base_port or free_base_port(validators), kvstore_seconds,
                                kvstore_connections, kvstore_rate, tx_bytes, say)
        embedded_side = bench_embedded(folder / "embedded", txs, clients, say) \
            if embedded else None
        (folder / "net").mkdir()
        network_clients = cluster_clients or 4 * clients
        cluster = bench_network(folder / "net", txs, network_clients, validators,
                                base_port or free_base_port(validators), say)
        ratio = sig(cluster["committed_per_s"] / max(kvstore["committed_per_s"], 1e-9))
        result: dict[str, Any] = {
            "benchmark": "cluster", "machine": machine(),
            "settings": {"txs": txs, "clients": clients, "cluster_clients": network_clients,
                         "validators": validators,
                         "tx": "resident registration (pre-signed), POST /v1/txs?wait=true",
                         "kvstore_seconds": kvstore_seconds, "cometbft": COMETBFT_VERSION},
            "kvstore": kvstore, "cluster": cluster, "ratio_vs_kvstore": ratio,
            "target": {"ratio_vs_kvstore": TARGET_RATIO_VS_KVSTORE,
                       "met": ratio >= TARGET_RATIO_VS_KVSTORE,
                       "cluster_tx_per_s": TARGET_TX_PER_S,
                       "cluster_tx_per_s_met": cluster["committed_per_s"] >= TARGET_TX_PER_S},
        }
        if embedded_side is not None:
            result["embedded"] = embedded_side
            result["cluster_vs_embedded"] = sig(cluster["committed_per_s"]
                                                / max(embedded_side["committed_per_s"], 1e-9))
        result["seconds_total"] = sig(time.perf_counter() - t0)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)
