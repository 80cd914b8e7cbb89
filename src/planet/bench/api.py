"""`planet bench api`: read requests per second and latency through the HTTP API, and the
committed-transaction rate through POST /v1/txs.

The node is a real `planet node` process (uvicorn with uvloop and httptools, the embedded
engine, 200 ms blocks, SQLite on disk) on a loopback port, from a fresh home in a
temporary folder; the Lucky Drill operator is off so only the benchmark's load runs. The
benchmark seeds residents through the API (registered, one check-in each), then:

**Reads**, with a load generator in another process: `wrk` (keep-alive connections,
``--latency``), or, if wrk is missing, a Python asyncio keep-alive client in a child
process. Each figure runs ``seconds``:

- ``baseline_health``: ``GET /v1/health`` only, the cheapest route through the same stack;
- ``mix``: a rotation of ``/v1/status``, ``/v1/accounts/{a}``, ``/v1/accounts/{a}/holder``,
  ``/v1/supply`` and ``/v1/tasks`` over the seeded residents: what a page load reads. Served
  from the per-block response cache after each block's first read (the honest case: the
  state only changes per block, and the cache is cleared by every commit);
- ``mix_uncached``: the same rotation with a unique ``?_=`` argument on every request, so
  every request misses the cache and runs the route and the core query.

**Transactions**: resident registrations (one tx each, fresh keys, signed before the
clock starts), one tx per request to ``POST /v1/txs``, in three figures:

- ``txs`` (``tx_committed_per_s``, the issue's bar): ``tx_clients`` keep-alive connections,
  each posting its next tx as soon as the node ADMITS the previous one (no ``wait``: the
  answer comes at mempool admission with the tx's hash), as CometBFT's own loaders drive
  a chain with broadcast_tx_sync. A "mempool full" answer makes the client back off and
  post the same tx again (``mempool_full_retries``). Once the node's mempool is empty every
  admitted tx is looked up in the blocks the node stored; the rate is the txs committed
  with code 0 over the time from the first post to the first sight (by a watcher polling
  the height every 5 ms) of the block holding the last of them. This measures the node;
  ``node_cpu_ms_per_tx`` is the node's CPU (user + system, its whole process tree, verify
  processes included; ``node_main_cpu_ms_per_tx`` its main process alone) from the first
  post until the mempool is empty, per committed tx: what the shared machine's load moves
  least. Each figure below reports both too.
- ``txs_wait`` (``tx_committed_per_s_wait``): as many other registrations with
  ``wait=true``: each client posts its next tx once the previous one is committed, so 256
  clients commit at most about 256 txs per 200 ms block whatever the node's speed: a
  figure of the clients' patience, kept for comparison with earlier runs.
- ``batch_txs`` (``batch_tx_committed_per_s``): as many others through
  ``POST /v1/txs/batch?wait=true`` in batches of ``batch_size`` from ``batch_clients``
  connections, each posting its next batch once the previous one is committed.

Both generator and node share the machine's cores, as they would on one host; the machine
is reported.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from planet.bench.common import ed25519_verify_rate, http_request, machine, percentile, sig
from planet.bench.load import make_invites, post_admitted, post_all, post_batches, sign_registrations
from planet.core.force.messages import CompleteTask
from planet.node.home import Home, NodeConfig, init_home
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet

CHAIN = "planet-bench-api"
WRK = "/usr/bin/wrk"


# --- the node ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NodeProc:
    """`planet node` in a child process, from a fresh home."""

    def __init__(self, folder: Path, port: int) -> None:
        self.home = init_home(folder / "home", CHAIN, password=None)
        config = asdict(self.home.load_config())
        config["drill_operator"] = False
        self.home.config_file.write_text(json.dumps(config, indent=2) + "\n")
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = folder / "node.log"
        env = {**os.environ, "PLANET_HOME": str(self.home.path)}
        env.pop("PLANET_PASSWORD", None)
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "planet.cli.main", "node", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the node did not come up in 60 s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def _read_load(port: int, paths: list[str], seconds: float, connections: int,
                     unique: bool) -> dict[str, Any]:
    latencies: list[float] = []
    non_2xx = 0
    stop = time.perf_counter() + seconds
    counter = 0

    async def worker(n: int) -> None:
        nonlocal non_2xx, counter
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += connections
            if unique:
                counter += 1
                path += ("&" if "?" in path else "?") + f"_={counter}"
            t0 = time.perf_counter()
            status, _ = await http_request(reader, writer, "GET", path)
            latencies.append(time.perf_counter() - t0)
            non_2xx += not 200 <= status < 300
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - t0
    return {"requests": len(latencies), "requests_per_s": sig(len(latencies) / elapsed),
            "latency_ms_p50": sig(percentile(latencies, 50) * 1000),
            "latency_ms_p99": sig(percentile(latencies, 99) * 1000),
            "non_2xx": non_2xx, "generator": "python-asyncio"}


def _read_load_child(conn: Any, port: int, paths: list[str], seconds: float,
                     connections: int, unique: bool) -> None:
    conn.send(asyncio.run(_read_load(port, paths, seconds, connections, unique)))
    conn.close()


def python_load(port: int, paths: list[str], seconds: float, connections: int,
                unique: bool) -> dict[str, Any]:
    """The fallback load generator, in a child process so it has its own interpreter."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_read_load_child,
                       args=(child, port, paths, seconds, connections, unique))
    proc.start()
    result: dict[str, Any] = parent.recv()
    proc.join()
    return result


# --- wrk -------------------------------------------------------------------------------------

_LUA = """
local paths = {%s}
local unique = %s
local i = 0
local tid = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  i = i + 1
  local p = paths[(i %% #paths) + 1]
  if unique then
    local sep = "?"
    if string.find(p, "?", 1, true) then sep = "&" end
    p = p .. sep .. "_=" .. tid .. "-" .. i
  end
  return wrk.format("GET", p)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if m is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if not (rps and total and p50 and p99):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return {"requests": int(total.group(1)), "requests_per_s": float(rps.group(1)),
            "latency_ms_p50": sig(_ms(p50.group(1))),
            "latency_ms_p99": sig(_ms(p99.group(1))),
            "non_2xx": int(non.group(1)) if non else 0,
            "socket_errors": errors.group(0) if errors else "", "generator": "wrk"}


def wrk_load(url: str, paths: list[str], seconds: float, connections: int, unique: bool,
             folder: Path, threads: int = 2) -> dict[str, Any]:
    script = folder / f"mix-{int(unique)}.lua"
    script.write_text(_LUA % (", ".join(json.dumps(p) for p in paths),
                              "true" if unique else "false"))
    out = subprocess.run([WRK, f"-t{threads}", f"-c{connections}",
                          f"-d{max(1, round(seconds))}s",
                          "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(out.stdout)


# --- seeding and transactions ----------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass  # gone meanwhile
    return kids


def node_cpu_s(pid: int) -> tuple[float, float]:
    """User + system CPU seconds the node has used so far: its main process's, and its
    whole tree's (the main process, its verify processes and any other live descendants,
    plus children it has reaped). With the rate, what a committed tx costs the node, which
    the shared machine's load moves far less; work moved into child processes stays
    counted."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = _stat(pid)
    main = (int(fields[11]) + int(fields[12])) / tick
    total = main + (int(fields[13]) + int(fields[14])) / tick
    todo = _children(pid)
    while todo:
        kid = todo.pop()
        try:
            f = _stat(kid)
        except OSError:
            continue
        total += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / tick
        todo += _children(kid)
    return main, total


def check_in_all(port: int, wallets: Sequence[Wallet], clients: int) -> None:
    raws = [w.sign_tx(chain_id=CHAIN, sequence=1, messages=[CompleteTask(task_id="daily_checkin")])
            for w in wallets]
    result = post_all([port], raws, clients, keep_hashes=False)
    if result["committed_ok"] != len(raws):
        raise RuntimeError(f"seeding check-ins: {result}")


def _cpu_per_tx(before: tuple[float, float], after: tuple[float, float],
                figure: dict[str, Any]) -> None:
    """Node CPU milliseconds per committed tx (per tx posted if none committed) into
    `figure`: the whole node's (`node_cpu_ms_per_tx`) and its main process's."""
    n = max(1, figure["committed_ok"] or figure["txs"])
    figure["node_cpu_ms_per_tx"] = sig((after[1] - before[1]) * 1000 / n)
    figure["node_main_cpu_ms_per_tx"] = sig((after[0] - before[0]) * 1000 / n)


# --- the run -----------------------------------------------------------------------------------


def read_paths(addresses: Sequence[str]) -> list[str]:
    paths: list[str] = []
    for a in addresses:
        paths += ["/v1/status", f"/v1/accounts/{a}", f"/v1/accounts/{a}/holder",
                  "/v1/supply", "/v1/tasks"]
    return paths


def run_api_bench(*, residents: int = 200, seconds: float = 10.0, connections: int = 64,
                  txs: int = 4_000, tx_clients: int = 256, batch_size: int = 100,
                  batch_clients: int = 8, port: int | None = None, generator: str = "auto",
                  progress: bool = False) -> dict[str, Any]:
    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr, flush=True)) \
        if progress else (lambda m: None)
    use_wrk = generator == "wrk" or (generator == "auto" and shutil.which(WRK) is not None)
    folder = Path(tempfile.mkdtemp(prefix="planet-bench-api-"))
    try:
        node = NodeProc(folder, port or free_port())
        try:
            operator = load_keystore(Home(node.home.path).keys_dir / "operator.json", None)
            say(f"node up at {node.url}; seeding {residents} residents")
            codes = make_invites(node.url, operator, CHAIN, residents + 3 * txs)
            wallets, raws = sign_registrations(codes[:residents], CHAIN)
            seeded = post_all([node.port], raws, tx_clients, keep_hashes=False)
            if seeded["committed_ok"] != residents:
                raise RuntimeError(f"seeding residents: {seeded}")
            check_in_all(node.port, wallets, tx_clients)
            paths = read_paths([w.address for w in wallets[:50]])

            def load(which: list[str], unique: bool) -> dict[str, Any]:
                if use_wrk:
                    return wrk_load(node.url, which, seconds, connections, unique, folder)
                return python_load(node.port, which, seconds, connections, unique)

            say("reads: baseline /v1/health")
            baseline = load(["/v1/health"], False)
            say("reads: mix (cached per block)")
            mix = load(paths, False)
            say("reads: mix, every request a cache miss")
            uncached = load(paths, True)
            txs_codes = [codes[residents + i * txs:residents + (i + 1) * txs] for i in range(3)]
            say(f"transactions: {txs} registrations, {tx_clients} clients, each posting on "
                "admission")
            _w, tx_raws = sign_registrations(txs_codes[0], CHAIN)
            cpu: list[tuple[float, float]] = []
            tx = post_admitted([node.port], tx_raws, tx_clients,
                               mark=lambda: cpu.append(node_cpu_s(node.proc.pid)))
            _cpu_per_tx(cpu[0], cpu[1], tx)
            say(f"transactions: {txs} registrations, {tx_clients} clients, wait=true")
            _w, wait_raws = sign_registrations(txs_codes[1], CHAIN)
            cpu0 = node_cpu_s(node.proc.pid)
            tx_wait = post_all([node.port], wait_raws, tx_clients, keep_hashes=False)
            _cpu_per_tx(cpu0, node_cpu_s(node.proc.pid), tx_wait)
            say(f"transactions: {txs} registrations in batches of {batch_size}, "
                f"{batch_clients} clients, wait=true")
            _w, batch_raws = sign_registrations(txs_codes[2], CHAIN)
            cpu0 = node_cpu_s(node.proc.pid)
            batch = post_batches([node.port], batch_raws, batch_clients, batch_size)
            _cpu_per_tx(cpu0, node_cpu_s(node.proc.pid), batch)
            status = httpx.get(f"{node.url}/v1/status").json()
        finally:
            node.stop()
        return {
            "benchmark": "api", "machine": machine(),
            "settings": {"residents": residents, "seconds": seconds,
                         "connections": connections, "txs": txs, "tx_clients": tx_clients,
                         "batch_size": batch_size, "batch_clients": batch_clients,
                         "block_interval_ms": NodeConfig().block_interval_ms,
                         "read_paths": sorted({re.sub(r"planet1\w+", "{address}", p)
                                               for p in paths})},
            "reads": {"baseline_health": baseline, "mix": mix, "mix_uncached": uncached},
            "txs": tx,
            "tx_committed_per_s": tx["committed_per_s"],
            "txs_wait": tx_wait,
            "tx_committed_per_s_wait": tx_wait["committed_per_s"],
            "batch_txs": batch,
            "batch_tx_committed_per_s": batch["committed_per_s"],
            "baseline_ed25519_verify_per_s": round(ed25519_verify_rate(2_000)),
            "final_height": status["height"],
            "target": {"reads_per_s": 5_000, "met": mix["requests_per_s"] >= 5_000},
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
