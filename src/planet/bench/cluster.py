"""`planet bench cluster`: finalized transactions per second and submit→commit latency of a
4-validator CometBFT network on loopback, beside CometBFT's own kvstore network and the
embedded engine, in the same run on the same machine.

The txs are resident registrations (one tx each, fresh keys, signed before the clock starts);
each side's client is:

- ``kvstore``: the fair baseline (issue 14), run first: CometBFT's built-in ``kvstore`` app
  as a network of as many validators, configured by the same `cometbft_config`
  (``timeout_commit`` 300 ms, same mempool and log level), loaded OPEN-LOOP at saturation by
  CometBFT's ``loadtime`` client (``load``, scripts/install-loadtime): a fixed offered rate of
  ``broadcast_tx_async`` over every validator's websocket for ``kvstore_seconds``, waiting
  for nothing, txs as large as our registrations. Its rate is the txs committed from the
  start of the load until every validator's mempool is empty again, over that time: the
  backlog an open loop at saturation leaves is part of what the network carries.
- ``cluster``, the headline (``ratio_vs_kvstore``, target 0.5): `planet testnet`'s network
  (each validator a CometBFT process and a `planet node --engine cometbft` process) loaded
  ADMISSION-PACED by `post_admitted`: ``cluster_clients`` keep-alive connections spread
  evenly over the validators' APIs, each posting its next tx (POST /v1/txs without wait) as
  soon as its validator has admitted the previous one (the app's CheckTx, through CometBFT's
  ``broadcast_tx_sync``), backing off and retrying on a full mempool (code 113). Its rate is
  the txs committed OK from the first post until the block holding the last one is first
  seen, confirmed from validator 0's stored blocks once every validator's mempool is empty.
  The comparison is fair because neither client waits for a commit and both count until
  the last tx is committed on the network: ours waits only for admission, which is the app's
  own work (CheckTx) that kvstore's async broadcast defers into its mempool, and with 1,024
  clients admission is always queued (its latency, ``admit_latency_ms_p50``, is hundreds of
  times a CheckTx), so no validator idles for want of a tx.
- ``cluster_wait`` (``ratio_vs_kvstore_wait``): the same network after it, fresh
  registrations, loaded CLOSED-LOOP by `post_all`: each client posts with ``wait=true`` and
  its next tx only once the previous one is committed, about two blocks later. It
  finalizes at most clients / latency txs per second, so it is bound by its clients as much
  as by the CPU: it understates what the app carries, and is kept for the earlier figures.
- ``embedded``: one `planet node` process (the embedded engine, 200 ms blocks), a fresh home,
  loaded closed-loop as ``cluster_wait`` with ``clients`` connections (`planet bench api` and
  `planet bench ledger` measure it admission-paced); ``cluster_vs_embedded`` compares it with
  ``cluster_wait``, the same client.

All of it shares this machine's cores: 2·N network processes plus the load generator, which a
real consortium (one machine per validator) does not. The Lucky Drill operator is off.
``cores_busy`` (CPU seconds of every process of the side over the load's wall time) shows
whether a run was bound by the machine or by its clients; ``machine_cores_busy`` (every
process's, from /proc/stat) tells the two apart on a shared machine: near the core count
while ``cores_busy`` is lower, other work took the rest. After both loads the network's
validators are checked to report one app hash at a common height. ``cpu_ms_per_tx`` is the CPU (user +
system, from /proc) each kind of process spent per committed transaction during a load, all
validators together, and ``cpu_ms_per_tx_per_process`` the same for one process of each kind
(divided by the validators): where a shared machine's cores go, and what one validator per
machine would need. The machine is reported.
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
from planet.bench.load import make_invites, post_admitted, post_all, sign_registrations
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


def machine_busy_s() -> float:
    """CPU seconds every process on the machine has used since boot, all cores (/proc/stat;
    0 where there is none)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def machine_cores_busy(before: float, after: float, seconds: float) -> float:
    """Cores the whole machine kept busy: near its count while a side's own `cores_busy` is
    lower means other work on the shared machine took the rest, not that the side idled."""
    return sig((after - before) / max(seconds, 1e-9))


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
        before, machine_before = cpu(), machine_busy_s()
        t0 = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
        load_seconds = time.perf_counter() - t0
        if out.returncode != 0:
            raise TestnetError(f"loadtime failed ({out.returncode}): {out.stderr[-1500:]}")
        # Until every accepted tx is committed, as our side's clients wait for theirs: the
        # backlog a saturating open-loop client leaves is part of what the network carries.
        drained = net.wait_drained(timeout=DRAIN_TIMEOUT_S)
        elapsed = time.perf_counter() - t0
        after, machine_after = cpu(), machine_busy_s()
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
            "machine_cores_busy": machine_cores_busy(machine_before, machine_after, elapsed),
            "validators_agree": len(hashes) == 1, "validators": validators,
            "timeout_commit": TIMEOUT_COMMIT, "client": "cometbft loadtime (broadcast_tx_async)"}


def _network_cpu(net: Testnet) -> dict[str, float]:
    """CPU seconds so far of every validator's app, every CometBFT and this load generator."""
    return {"apps": sum(cpu_seconds(net.pid(v, "app")) for v in net.validators),
            "cometbft": sum(cpu_seconds(net.pid(v, "cometbft")) for v in net.validators),
            "load_generator": cpu_seconds(os.getpid())}


def _cpu_figures(result: dict[str, Any], before: dict[str, float], after: dict[str, float],
                 seconds: float, validators: int, machine: tuple[float, float]) -> None:
    result["cpu_ms_per_tx"] = cpu_ms_per_tx(before, after, result["committed_ok"])
    result["cpu_ms_per_tx_per_process"] = per_process(result["cpu_ms_per_tx"], validators)
    result["cores_busy"] = cores_busy(before, after, seconds)
    result["machine_cores_busy"] = machine_cores_busy(*machine, seconds)


def bench_network(folder: Path, txs: int, clients: int, validators: int, base_port: int,
                  say: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our network under the admission-paced load, then under the closed loop (wait=true),
    each with `clients` connections and `txs` fresh registrations of its own: the two
    figures, each with the validators' app-hash check after both loads."""
    net = Testnet.create(folder, validators, base_port, CLUSTER_CHAIN,
                         timeout_commit=TIMEOUT_COMMIT, drill_operator=False)
    try:
        say(f"cluster: starting {validators} validators (ports from {base_port})")
        net.start_and_wait(timeout=120, api_timeout=60)
        operator = load_keystore(net.validators[0].home / "keys" / "operator.json", None)
        say(f"cluster: {2 * txs} invitation codes")
        codes = make_invites(net.validators[0].api_url, operator, CLUSTER_CHAIN, 2 * txs)
        net.wait_height(net.app_height(net.validators[0]), apps=True)  # the codes known to every app
        _w, raws = sign_registrations(codes[:txs], CLUSTER_CHAIN)
        _w, wait_raws = sign_registrations(codes[txs:], CLUSTER_CHAIN)
        ports = [v.api_port for v in net.validators]
        say(f"cluster: {txs} registrations, {clients} clients over {validators} APIs, "
            "each posting on admission")
        marks: list[tuple[float, dict[str, float], float]] = []
        admitted = post_admitted(ports, raws, clients, drain_ports=ports[1:],
                                 mark=lambda: marks.append((time.perf_counter(),
                                                            _network_cpu(net),
                                                            machine_busy_s())))
        (t0, before, m0), (t1, after, m1) = marks
        _cpu_figures(admitted, before, after, t1 - t0, validators, (m0, m1))
        say(f"cluster: {txs} registrations, {clients} clients over {validators} APIs, "
            "wait=true")
        wait_height = max(net.height(v) for v in net.validators)
        before, m0, t0 = _network_cpu(net), machine_busy_s(), time.perf_counter()
        waited = post_all(ports, wait_raws, clients, keep_hashes=False)
        after, m1, t1 = _network_cpu(net), machine_busy_s(), time.perf_counter()
        _cpu_figures(waited, before, after, t1 - t0, validators, (m0, m1))
        end_height = max(net.height(v) for v in net.validators)
        waited["blocks"] = end_height - wait_height
        common = min(net.height(v) for v in net.validators) - 1
        hashes = set()
        for v in net.validators:
            r = httpx.get(f"{v.rpc_url}/block", params={"height": common}, timeout=10)
            hashes.add(r.json()["result"]["block"]["header"]["app_hash"])
    finally:
        net.stop(grace=5)
    for result in (admitted, waited):
        result["validators_agree"] = len(hashes) == 1
        result["checked_height"] = common
        result["final_height"] = end_height
        result["validators"] = validators
        result["timeout_commit"] = TIMEOUT_COMMIT
    admitted["client"] = "post_admitted: POST /v1/txs (no wait), next tx once admitted"
    waited["client"] = "post_all: POST /v1/txs?wait=true, next tx once committed"
    return admitted, waited


def run_cluster_bench(*, txs: int = 6_000, clients: int = 256,
                      cluster_clients: int | None = None, validators: int = 4,
                      base_port: int | None = None, kvstore_seconds: int = 30,
                      kvstore_connections: int = 1, kvstore_rate: int = 2_500,
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
        cluster, cluster_wait = bench_network(folder / "net", txs, network_clients,
                                              validators,
                                              base_port or free_base_port(validators), say)
        kv_rate = max(kvstore["committed_per_s"], 1e-9)
        ratio = sig(cluster["committed_per_s"] / kv_rate)
        result: dict[str, Any] = {
            "benchmark": "cluster", "machine": machine(),
            "settings": {"txs": txs, "clients": clients, "cluster_clients": network_clients,
                         "validators": validators,
                         "tx": "resident registration (pre-signed), POST /v1/txs: the network "
                               "without wait (admission-paced), then ?wait=true",
                         "kvstore_seconds": kvstore_seconds, "cometbft": COMETBFT_VERSION},
            "kvstore": kvstore, "cluster": cluster, "ratio_vs_kvstore": ratio,
            "cluster_wait": cluster_wait,
            "ratio_vs_kvstore_wait": sig(cluster_wait["committed_per_s"] / kv_rate),
            "target": {"ratio_vs_kvstore": TARGET_RATIO_VS_KVSTORE,
                       "met": ratio >= TARGET_RATIO_VS_KVSTORE,
                       "cluster_tx_per_s": TARGET_TX_PER_S,
                       "cluster_tx_per_s_met": cluster["committed_per_s"] >= TARGET_TX_PER_S},
        }
        if embedded_side is not None:
            result["embedded"] = embedded_side
            result["cluster_vs_embedded"] = sig(cluster_wait["committed_per_s"]
                                                / max(embedded_side["committed_per_s"], 1e-9))
        result["seconds_total"] = sig(time.perf_counter() - t0)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)
