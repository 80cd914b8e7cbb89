"""`planet bench vault`: blob upload and download through the API against a plain file
copy, and the time for residents to grant 1,000 records to a business.

Everything runs in this one process, on a real node: an `EmbeddedNode` (SQLite on disk,
sequencer thread, 50 ms blocks) in a temporary folder, with the HTTP API (`create_app`
with a `VaultService`) served by uvicorn on a free loopback port in a background thread,
and clients talking to it over real HTTP (httpx). The temporary folder is under
``$TMPDIR`` (default ``/tmp``); its filesystem is reported, since fsync costs depend on it.

**Blobs**, for each size (64 KiB and ``--size-mb``; MiB = 2**20 bytes, throughput counts
the blob's bytes, i.e. the plaintext plus 114 bytes of envelope):

- baseline, measured just before: ``shutil.copyfile`` of a file of the blob's size into
  a new file in the same folder, without and with ``fsync`` of the copy and of its folder
  (the store writes crash-safely: temp file, fsync, rename, fsync folder);
- ``api_upload``: a signed ``PUT /v1/blobs/{digest}`` by the owner (`PlanetClient.put_blob`)
  of a record committed on the ledger beforehand: each repetition a new sealed record, as
  a digest is stored once;
- ``api_download``: a signed ``GET`` by the owner (`PlanetClient.get_blob`, which checks the
  digest of what it receives);
- ``store_put`` / ``store_get``: the same backend called directly, without HTTP, on new
  sealed blobs, so the share of the API (signature checks, ledger queries, HTTP) shows;
- ``seal`` / ``open``: `seal_record` / `open_record` alone (crypto only, on the plaintext).

One untimed round of each comes first (connections, caches). Reads are served from the
page cache, as the copy's are. With ``--postgres URL`` the store rows are repeated on a
`PostgresBlobStore` behind a second API server over the same node; what the benchmark
stores there it deletes afterwards.

**Grants**: a business (in the genesis) posts a request for 1,000 residents at 1 µBD
each, paid for by one resident who redeems the business's offer (its price is the
whole budget). Before the clock starts, the residents are registered and each commits one
small sealed record (``travel``, 256 bytes), all submitted in batches without waiting.
Then, timed: each resident's client reseals its record's data key to the business
(`reseal_for`: HPKE open of the owner's sealed key, HPKE seal to the business), signs an
``exchange/accept_request``, and the signed transactions are posted to the API (up to 4
concurrent client connections, ``wait=false``; one resident's transactions in order on one
connection, as their sequences require) until the last one is committed. The
phases run one after the other, so the total is their sum: ``reseal_s`` + ``sign_s`` +
``ledger_s`` (first submit to last commit, seen by a block listener). A second figure:
one resident grants the same number of records, 64 to a transaction (the ledger's list
limit), to 16 requests. Each grant figure is one run; the per-transaction submit→commit
latencies are its samples (p50, p99).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from planet.api.app import create_app
from planet.bench.common import ed25519_verify_rate, machine, median, percentile, sig
from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.emission.messages import Collect
from planet.core.encoding import b64decode, b64encode
from planet.core.exchange.messages import AcceptRequest, CreateOffer, CreateRequest, RedeemOffer
from planet.core.force.messages import CompleteTask
from planet.core.genesis import parse_genesis
from planet.core.messages import Msg
from planet.core.params import Params
from planet.core.tx import compute_tx_hash
from planet.core.types import MILLIS_PER_DAY
from planet.core.vault.messages import AddRecord
from planet.engines.embedded import EmbeddedNode, EngineConfig
from planet.node.home import make_genesis_document
from planet.sdk.client import PlanetClient, new_invite_codes
from planet.sdk.envelope import open_granted, open_record, reseal_for, seal_record
from planet.sdk.wallet import Wallet
from planet.storage.blobs import FileBlobStore, PostgresBlobStore
from planet.storage.sqlite import BlockRecord, TxRecord
from planet.vault.service import VaultService
from planet.vault.store import BlobStore

CHAIN = "planet-bench-vault"
BLOCK_MS = 50
MIB = 1 << 20
SMALL_BLOB = 64 * 1024
"""Plaintext bytes of the small blob measured beside `--size-mb`."""
ENVELOPE_BYTES = 4 + 2 + 80 + 12 + 16
"""What `seal_record` adds to a plaintext: magic, key length, sealed key, nonce, tag."""
GRANT_RECORD_BYTES = 256
CATEGORY = "travel"
REWARD = 1
"""µBD per grant: one redemption pays for every request."""
SUBMITTERS = 4
GRANT_BATCH = Params().max_list_items
MAX_MESSAGES = Params().max_messages_per_tx
SETUP_BATCH = 2_000
TIMEOUT_S = 300.0
T = TypeVar("T")


# --- measuring --------------------------------------------------------------------------------


def throughput(nbytes: int, seconds: Sequence[float]) -> dict[str, Any]:
    """MiB/s of each sample and their median (and the median time)."""
    rates = [nbytes / s / MIB for s in seconds]
    return {"mib_per_s": sig(median(rates)),
            "samples_mib_per_s": [sig(r) for r in rates],
            "ms_median": sig(median(seconds) * 1e3)}


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _each(fn: Callable[[T], object], items: Sequence[T]) -> list[float]:
    """Seconds of `fn(item)` for each item."""
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return out


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float:
    return sig(a["mib_per_s"] / b["mib_per_s"]) if b["mib_per_s"] > 0 else float("nan")


def _fsync_path(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_baseline(folder: Path, data: bytes, repeat: int) -> dict[str, dict[str, Any]]:
    """``shutil.copyfile`` of `data` into new files, without and with fsync (file, folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "source"
    src.write_bytes(data)
    _fsync_path(src)
    directory_flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    out: dict[str, dict[str, Any]] = {}
    for label, sync in (("copy_no_fsync", False), ("copy_fsync", True)):
        samples = []
        for i in range(repeat + 1):  # the first is a warm-up
            dst = folder / f"{label}-{i}"

            def copy(dst: Path = dst, sync: bool = sync) -> None:
                shutil.copyfile(src, dst)
                if sync:
                    _fsync_path(dst)
                    _fsync_path(folder, directory_flags)

            samples.append(_timed(copy))
        out[label] = throughput(len(data), samples[1:])
    shutil.rmtree(folder)
    return out


# --- the node and its API ----------------------------------------------------------------------


class Commits:
    """Block listener: when (perf_counter) and how each transaction was committed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.records: dict[bytes, tuple[float, TxRecord]] = {}
        self.blocks: list[tuple[int, int]] = []  # (height, tx count)

    def on_block(self, block: BlockRecord, records: list[TxRecord]) -> None:
        now = time.perf_counter()
        with self._cond:
            for r in records:
                self.records[r.hash] = (now, r)
            self.blocks.append((block.height, block.tx_count))
            self._cond.notify_all()

    def wait(self, hashes: Sequence[bytes], timeout: float = TIMEOUT_S) -> list[tuple[float, TxRecord]]:
        """Each transaction's commit, once all are committed; raises if one failed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not all(h in self.records for h in hashes):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = sum(h not in self.records for h in hashes)
                    raise TimeoutError(f"{missing} of {len(hashes)} transactions not committed "
                                       f"after {timeout} s")
                self._cond.wait(min(left, 1.0))
            out = [self.records[h] for h in hashes]
        failed = [r for _, r in out if r.code != 0]
        if failed:
            raise RuntimeError(f"{len(failed)} transactions failed; first: code {failed[0].code}, "
                               f"{failed[0].result.get('log')}")
        return out

    def blocks_between(self, first: int, last: int) -> int:
        with self._cond:
            return sum(1 for h, n in self.blocks if first <= h <= last and n)


def free_socket() -> socket.socket:
    """A listening address on a free loopback port, for uvicorn to serve on.

    The protocol must be named: asyncio sets TCP_NODELAY on accepted connections only when
    ``sock.proto == IPPROTO_TCP`` (as for the sockets uvicorn binds itself); without it,
    Nagle's algorithm holds a response's body behind its headers until the client's delayed
    ACK, ~40 ms on every small response.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serve(node: EmbeddedNode, vault: VaultService) -> Iterator[str]:
    """The node's HTTP API on a free loopback port, served by uvicorn in a thread."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(node, None, vault), log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"api-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class Bench:
    node: EmbeddedNode
    commits: Commits
    business: Wallet
    say: Callable[[str], None]

    @property
    def chain_id(self) -> str:
        return self.node.genesis.chain_id

    def submit_all(self, raws: Sequence[bytes]) -> list[tuple[float, TxRecord]]:
        """Setup: admit in batches without waiting for each, then wait for all commits."""
        hashes = []
        for i in range(0, len(raws), SETUP_BATCH):
            for s in self.node.submit_many(raws[i:i + SETUP_BATCH]):
                if not s.accepted:
                    raise RuntimeError(f"setup tx refused: {s.result.log}")
                hashes.append(s.hash)
        return self.commits.wait(hashes)

    def send(self, wallet: Wallet, sequence: int, msgs: Sequence[Msg]) -> TxRecord:
        raw = wallet.sign_tx(chain_id=self.chain_id, sequence=sequence, messages=list(msgs))
        return self.submit_all([raw])[0][1]


def make_node(tmp: Path, operator: Wallet, business: Wallet, max_blob: int) -> EmbeddedNode:
    doc = make_genesis_document(CHAIN, operator, [])
    doc["businesses"] = [business.genesis_key("Bench shop")]
    # cohorts of 1: each grant is timed as its own acceptance, as before cohorts existed
    doc["params"] = {"vault_max_record_bytes": max(Params().vault_max_record_bytes, max_blob),
                     "min_cohort": 1}
    return EmbeddedNode(tmp / "node.db", parse_genesis(doc),
                        EngineConfig(block_interval_ms=BLOCK_MS, verify_threads=2))


def _event(record: TxRecord, kind: str, attribute: str) -> Any:
    for event in record.result.get("events", []):
        if event["type"] == kind:
            return event["attributes"][attribute]
    raise RuntimeError(f"no {kind} event in {record.hash.hex()}")


# --- blobs ---------------------------------------------------------------------------------------


def _commit_records(bench: Bench, owner: Wallet, blobs: Sequence[tuple[str, int]],
                    sequence: int) -> int:
    """AddRecord for each (digest, size), up to 16 to a transaction; the next sequence."""
    now = int(time.time() * 1000)
    raws = []
    for i in range(0, len(blobs), MAX_MESSAGES):
        raws.append(owner.sign_tx(chain_id=bench.chain_id, sequence=sequence, messages=[
            AddRecord(digest=d, category=CATEGORY, time=now, size=n)
            for d, n in blobs[i:i + MAX_MESSAGES]]))
        sequence += 1
    bench.submit_all(raws)
    return sequence


def measure_backend(bench: Bench, store: BlobStore, owner: Wallet, sequence: int,
                    sizes: Sequence[int], repeat: int) -> tuple[dict[int, dict[str, Any]], int]:
    """API upload/download and direct store put/get of new sealed blobs, for each size."""
    out: dict[int, dict[str, Any]] = {}
    vault = VaultService(bench.node, store, bench.chain_id)
    with serve(bench.node, vault) as url:
        api = PlanetClient(url)
        try:
            for size in sizes:
                plaintext = os.urandom(size)
                sealed = [seal_record(plaintext, owner.encryption_public_key)
                          for _ in range(repeat + 1)]
                blob_bytes = len(sealed[0].blob)
                sequence = _commit_records(bench, owner, [(s.digest, len(s.blob)) for s in sealed],
                                           sequence)
                up = _each(lambda s: api.put_blob(owner, s.digest, s.blob), sealed)
                down = _each(lambda s: api.get_blob(owner, s.digest), sealed)
                direct = [seal_record(plaintext, owner.encryption_public_key)
                          for _ in range(repeat + 1)]
                put = _each(lambda s: store.put(s.digest, s.blob), direct)
                get = _each(lambda s: store.get(s.digest), direct)
                if store.get(sealed[-1].digest) != sealed[-1].blob:
                    raise RuntimeError("the store returned other bytes than were uploaded")
                out[size] = {
                    "api_upload": throughput(blob_bytes, up[1:]),
                    "api_download": throughput(blob_bytes, down[1:]),
                    "store_put": throughput(blob_bytes, put[1:]),
                    "store_get": throughput(blob_bytes, get[1:]),
                }
                bench.say(f"{type(store).__name__}, {size:,} B: upload "
                          f"{out[size]['api_upload']['mib_per_s']} MiB/s, download "
                          f"{out[size]['api_download']['mib_per_s']} MiB/s")
                if isinstance(store, PostgresBlobStore):  # leave the database as it was
                    for s in sealed + direct:
                        store.delete(s.digest)
        finally:
            api.close()
    return out, sequence


def measure_envelope(owner: Wallet, size: int, repeat: int) -> dict[str, Any]:
    plaintext = os.urandom(size)
    blobs: list[bytes] = []
    seal = [_timed(lambda: blobs.append(seal_record(plaintext, owner.encryption_public_key).blob))
            for _ in range(repeat + 1)]
    opened = _each(lambda b: open_record(b, owner.encryption_key), blobs)
    if open_record(blobs[0], owner.encryption_key) != plaintext:
        raise RuntimeError("open_record did not return the sealed plaintext")
    return {"seal": throughput(size, seal[1:]), "open": throughput(size, opened[1:])}


# --- grants --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """A resident's committed record, as their client holds it."""

    wallet: Wallet
    blob: bytes
    digest: str


def _submit_http(url: str, raws: Sequence[tuple[str, bytes]], submitters: int
                 ) -> dict[bytes, float]:
    """POST every (sender, tx) with wait=false over up to `submitters` connections; when
    each was sent. A sender's transactions go in order on one connection (sequences)."""
    sent: dict[bytes, float] = {}
    lock = threading.Lock()

    def work(part: Sequence[bytes]) -> None:
        api = PlanetClient(url)
        try:
            for raw in part:
                at = time.perf_counter()
                outcome = api.submit(raw, wait=False)
                with lock:
                    sent[bytes.fromhex(outcome.hash)] = at
        finally:
            api.close()

    by_sender: dict[str, list[bytes]] = {}
    for sender, raw in raws:
        by_sender.setdefault(sender, []).append(raw)
    n = max(1, min(submitters, len(by_sender)))
    parts: list[list[bytes]] = [[] for _ in range(n)]
    for i, own in enumerate(by_sender.values()):
        parts[i % n].extend(own)
    with ThreadPoolExecutor(n, thread_name_prefix="submitter") as pool:
        list(pool.map(work, parts))
    return sent


def timed_grants(bench: Bench, url: str, holdings: Sequence[Holding],
                 plan: Sequence[tuple[int, int, int]], first_sequence: int,
                 submitters: int) -> dict[str, Any]:
    """Reseal, sign, then post and commit the grants.

    `plan` holds (request id, start, end): the slice of `holdings` one grant carries. Each
    resident's grants take consecutive sequences from `first_sequence`.
    """
    business_key = bench.business.encryption_public_key
    start = time.perf_counter()
    keys = [reseal_for(h.blob, h.wallet.encryption_key, business_key) for h in holdings]
    resealed = time.perf_counter()
    next_seq: dict[str, int] = {}
    raws: list[tuple[str, bytes]] = []
    for request, lo, hi in plan:
        wallet = holdings[lo].wallet
        seq = next_seq.get(wallet.address, first_sequence)
        next_seq[wallet.address] = seq + 1
        raws.append((wallet.address, wallet.sign_tx(
            chain_id=bench.chain_id, sequence=seq, messages=[AcceptRequest(
                request=request, records=tuple(h.digest for h in holdings[lo:hi]),
                keys=tuple(b64encode(k) for k in keys[lo:hi]))])))
    signed = time.perf_counter()
    sent = _submit_http(url, raws, submitters)
    submitted = time.perf_counter()
    committed = bench.commits.wait([compute_tx_hash(r) for _, r in raws])
    last = max(t for t, _ in committed)
    latencies = [(t - sent[r.hash]) * 1e3 for t, r in committed]
    heights = [r.height for _, r in committed]
    # the business can open what it was granted: check one
    first = holdings[0]
    grant = bench.node.query("exchange/grant", {"request": plan[0][0],
                                                "resident": first.wallet.address})
    open_granted(first.blob, b64decode(grant["records"][0]["key"], field="key"),
                 bench.business.encryption_key)
    total = last - start
    reseal_s, sign_s, ledger_s = resealed - start, signed - resealed, last - signed
    return {
        "grants": len(raws), "records": len(holdings),
        "residents": len({h.wallet.address for h in holdings}),
        "records_per_grant_max": max(hi - lo for _, lo, hi in plan),
        "total_s": sig(total),
        "grants_per_s": sig(len(raws) / total),
        "records_per_s": sig(len(holdings) / total),
        "reseal_s": sig(reseal_s), "sign_s": sig(sign_s),
        "ledger_s": sig(ledger_s), "submit_s": sig(submitted - signed),
        "reseal_us_per_record": sig(reseal_s / len(holdings) * 1e6),
        "sign_us_per_grant": sig(sign_s / len(raws) * 1e6),
        "ledger_ms_per_grant": sig(ledger_s / len(raws) * 1e3),
        "ledger_us_per_record": sig(ledger_s / len(holdings) * 1e6),
        "latency_ms_p50": sig(median(latencies)),
        "latency_ms_p99": sig(percentile(latencies, 99)),
        "blocks": bench.commits.blocks_between(min(heights), max(heights)),
        "split": {"reseal": sig(reseal_s / total), "sign": sig(sign_s / total),
                  "ledger": sig(ledger_s / total)},
    }


@dataclass(frozen=True)
class GrantSetup:
    singles: list[Holding]
    """One record for each of `records` residents."""
    batched: list[Holding]
    """`records` records of one resident."""
    batched_sequence: int
    """That resident's next sequence."""
    request: int
    """The request for `records` residents."""
    batch_requests: list[int]
    """One request per grant of up to `batch` records."""


def setup_grants(bench: Bench, operator: Wallet, owner: Wallet, n_records: int,
                 batch: int) -> GrantSetup:
    """Residents with one record each, one resident with `n_records`, the blob owner
    (registered only), a business purse that pays every request, and the requests."""
    residents = [Wallet.generate() for _ in range(n_records)]
    payer, granter = Wallet.generate(), Wallet.generate()
    codes = new_invite_codes(n_records + 3)
    bench.submit_all([operator.sign_tx(chain_id=bench.chain_id, sequence=seq, messages=[
        CreateInvites(code_hashes=tuple(compute_invite_hash(c) for c in codes[i:i + 64]))])
        for seq, i in enumerate(range(0, len(codes), 64))])
    now = int(time.time() * 1000)

    def register(w: Wallet, code: str) -> RegisterResident:
        return RegisterResident(invite_code=code, encryption_key=b64encode(w.encryption_public_key))

    def sealed(w: Wallet) -> Holding:
        s = seal_record(os.urandom(GRANT_RECORD_BYTES), w.encryption_public_key)
        return Holding(w, s.blob, s.digest)

    def add(h: Holding) -> AddRecord:
        return AddRecord(digest=h.digest, category=CATEGORY, time=now, size=len(h.blob))

    singles = [sealed(w) for w in residents]
    batched = [sealed(granter) for _ in range(n_records)]
    raws = [w.sign_tx(chain_id=bench.chain_id, sequence=0, messages=[register(w, c), add(h)])
            for w, c, h in zip(residents, codes[:n_records], singles, strict=True)]
    raws.append(payer.sign_tx(chain_id=bench.chain_id, sequence=0, messages=[
        register(payer, codes[-2]), CompleteTask(task_id="daily_checkin")]))
    raws.append(granter.sign_tx(chain_id=bench.chain_id, sequence=0,
                                messages=[register(granter, codes[-1])]))
    raws.append(owner.sign_tx(chain_id=bench.chain_id, sequence=0,
                              messages=[register(owner, codes[-3])]))
    bench.submit_all(raws)
    # the granter's records, 16 to a tx; their grants then take the following sequences
    seq = 1
    raws = []
    for i in range(0, n_records, MAX_MESSAGES):
        raws.append(granter.sign_tx(chain_id=bench.chain_id, sequence=seq,
                                    messages=[add(h) for h in batched[i:i + MAX_MESSAGES]]))
        seq += 1
    bench.submit_all(raws)

    # the business's purse: one redemption at the price of every request's budget
    n_batches = -(-n_records // batch)
    price = REWARD * (n_records + n_batches)
    payer_seq = 1
    for _ in range(200):
        time.sleep(BLOCK_MS / 1000)
        bench.send(payer, payer_seq, [Collect()])
        payer_seq += 1
        if bench.node.query("emission/holder", {"address": payer.address})["balance_micro"] \
                >= price:
            break
    else:
        raise RuntimeError("the payer could not collect enough diamonds")
    now = int(time.time() * 1000)
    offer = _event(bench.send(bench.business, 0, [CreateOffer(
        item="Bench budget", price=price, stock=1, starts_at=0, ends_at=now + MILLIS_PER_DAY,
        min_force=0, daily_limit=0)]), "exchange/offer_created", "offer")
    bench.send(payer, payer_seq, [RedeemOffer(offer=int(offer))])

    def request(residents: int) -> CreateRequest:
        return CreateRequest(categories=(CATEGORY,), period_start=0,
                             period_end=now + MILLIS_PER_DAY, purpose="Benchmark: route planning",
                             reward=REWARD, residents=residents, cohort=1,
                             expires_at=now + MILLIS_PER_DAY, access_ms=MILLIS_PER_DAY)

    msgs = [request(n_records)] + [request(1) for _ in range(n_batches)]
    ids: list[int] = []
    for j, i in enumerate(range(0, len(msgs), MAX_MESSAGES)):
        record = bench.send(bench.business, 1 + j, msgs[i:i + MAX_MESSAGES])
        ids += [int(e["attributes"]["request"]) for e in record.result["events"]
                if e["type"] == "exchange/request_created"]
    if len(ids) != len(msgs):
        raise RuntimeError(f"{len(ids)} of {len(msgs)} requests created")
    return GrantSetup(singles, batched, seq, ids[0], ids[1:])


# --- the whole benchmark -------------------------------------------------------------------------


def filesystem_of(path: Path) -> dict[str, str]:
    """The mount (device, type) holding `path`, from /proc/mounts."""
    best = ("", "unknown", "unknown")
    resolved = str(path.resolve())
    try:
        with open("/proc/mounts") as f:
            for line in f:
                device, mount, fstype = line.split()[:3]
                inside = resolved == mount or resolved.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best[0]):
                    best = (mount, fstype, device)
    except OSError:
        pass
    return {"path": str(path.parent), "mount": best[0], "type": best[1], "device": best[2]}


def open_postgres(url: str) -> PostgresBlobStore:
    """The PostgreSQL store, or a ValueError that names the cause but not the URL."""
    try:
        return PostgresBlobStore(url)
    except SQLAlchemyError as err:
        cause = str(getattr(err, "orig", None) or type(err).__name__).splitlines()[0]
        raise ValueError(f"--postgres: cannot use the database: {cause}") from None


def blob_sizes(size_mb: float, small: int = SMALL_BLOB) -> list[int]:
    """Plaintext sizes: the small blob and `size_mb` MiB (once if they are the same)."""
    return sorted({small, max(1, round(size_mb * MIB))})


def run_vault_bench(size_mb: float = 1.0, *, repeat: int = 5, records: int = 1_000,
                    postgres: str | None = None, progress: bool = False,
                    small_bytes: int = SMALL_BLOB, submitters: int = SUBMITTERS,
                    batch: int = GRANT_BATCH) -> dict[str, Any]:
    if repeat < 1 or records < 1 or not 1 <= batch <= GRANT_BATCH:
        raise ValueError(f"repeat and records must be at least 1, batch 1 to {GRANT_BATCH}")
    wall = time.perf_counter()
    console = Console(stderr=True)

    def say(text: str) -> None:
        if progress:
            console.print(f"[dim]vault bench:[/] {text}")

    sizes = blob_sizes(size_mb, small_bytes)
    operator, business, owner = Wallet.generate(), Wallet.generate(), Wallet.generate()
    pg = open_postgres(postgres) if postgres else None
    with tempfile.TemporaryDirectory(prefix="planet-bench-vault-") as tmp_name, \
            contextlib.ExitStack() as cleanup:
        tmp = Path(tmp_name)
        if pg is not None:
            cleanup.callback(pg.close)
        node = make_node(tmp, operator, business, max(sizes) + ENVELOPE_BYTES)
        cleanup.callback(node.close)
        commits = Commits()
        node.add_listener(commits.on_block)
        node.start()
        bench = Bench(node, commits, business, say)
        files = FileBlobStore(tmp / "blobs")
        start = time.perf_counter()
        say(f"registering {records:,} residents and their records")
        grants = setup_grants(bench, operator, owner, records, batch)
        setup_s = time.perf_counter() - start

        say("blobs: file copy baseline, API and store")
        blobs: list[dict[str, Any]] = []
        bases = {size: copy_baseline(tmp / "copies", os.urandom(size + ENVELOPE_BYTES),
                                     repeat) for size in sizes}
        seq = 1
        files_results, seq = measure_backend(bench, files, owner, seq, sizes, repeat)
        pg_results: dict[int, dict[str, Any]] = {}
        if pg is not None:
            pg_results, seq = measure_backend(bench, pg, owner, seq, sizes, repeat)
        for size in sizes:
            blob_bytes, base = size + ENVELOPE_BYTES, bases[size]
            entry: dict[str, Any] = {"plaintext_bytes": size, "blob_bytes": blob_bytes,
                                     **base, "files": files_results[size],
                                     **measure_envelope(owner, size, repeat)}
            entry["ratios"] = {"files": _ratios(files_results[size], base)}
            if pg is not None:
                entry["postgresql"] = pg_results[size]
                entry["ratios"]["postgresql"] = _ratios(pg_results[size], base)
            blobs.append(entry)

        say(f"grants: {records:,} residents × 1 record, then 1 resident × {records:,} "
            f"records in grants of {batch}")
        vault = VaultService(node, files, node.genesis.chain_id)
        with serve(node, vault) as url:
            one_each = timed_grants(bench, url, grants.singles,
                                    [(grants.request, i, i + 1) for i in range(records)],
                                    1, submitters)
            batched_plan = [(rid, i, min(i + batch, records))
                            for rid, i in zip(grants.batch_requests,
                                              range(0, records, batch), strict=True)]
            many = timed_grants(bench, url, grants.batched, batched_plan,
                                grants.batched_sequence, submitters)
        accepted = node.query("exchange/request", {"id": grants.request})["accepted"]
        if accepted != records:
            raise RuntimeError(f"request {grants.request} has {accepted} grants, "
                               f"not {records}")
        cleanup.close()
        verify_rate = ed25519_verify_rate(5_000, 1)
        fs = filesystem_of(tmp)
    return {
        "benchmark": "vault",
        "machine": machine(),
        "filesystem": fs,
        "settings": {"block_interval_ms": BLOCK_MS, "repeat": repeat, "records": records,
                     "grant_batch": batch, "submitters": submitters,
                     "plaintext_sizes": sizes, "grant_record_bytes": GRANT_RECORD_BYTES,
                     "reward_micro": REWARD, "postgresql": pg is not None,
                     "unit": "MiB/s (2^20 bytes per second) of blob bytes; seal/open: of "
                             "plaintext bytes"},
        "blobs": blobs,
        "grants": {"one_record_each": one_each, "batched": many},
        "baseline": {"ed25519_verify_per_s_1_thread": round(verify_rate)},
        "notes": NOTES,
        "setup_s": sig(setup_s),
        "wall_s": sig(time.perf_counter() - wall),
    }


def _ratios(measured: dict[str, Any], base: dict[str, dict[str, Any]]) -> dict[str, float]:
    return {
        "upload_vs_copy_fsync": _ratio(measured["api_upload"], base["copy_fsync"]),
        "upload_vs_copy_no_fsync": _ratio(measured["api_upload"], base["copy_no_fsync"]),
        "download_vs_copy_no_fsync": _ratio(measured["api_download"], base["copy_no_fsync"]),
        "store_put_vs_copy_fsync": _ratio(measured["store_put"], base["copy_fsync"]),
        "store_get_vs_copy_no_fsync": _ratio(measured["store_get"], base["copy_no_fsync"]),
        "upload_vs_store_put": _ratio(measured["api_upload"], measured["store_put"]),
        "download_vs_store_get": _ratio(measured["api_download"], measured["store_get"]),
    }


NOTES = [
    "All in one process: node (SQLite, sequencer, 50 ms blocks), uvicorn API thread and the "
    "HTTP clients share the GIL and the machine's cores.",
    "Baseline: shutil.copyfile of a file of the blob's size into a new file in the same "
    "folder; copy_fsync also fsyncs the copy and the folder, as the file store does.",
    "api_upload: signed PUT of a committed record's ciphertext (signature and ledger checks, "
    "SHA-256, crash-safe write); api_download: signed GET incl. the client's digest check. "
    "Reads come from the page cache, as the copy's do.",
    "store_put/store_get: the backend called directly, without HTTP or ledger checks.",
    "Each figure: median of `repeat` samples after one untimed warm-up round.",
    "Grants: phases in sequence, total = reseal_s + sign_s + ledger_s; ledger_s is from the "
    "first HTTP submit (wait=false, up to 4 connections, a resident's own txs in order on "
    "one) to the commit of the last grant; submit_s, within it, until the last POST was "
    "answered (admission: signature and check_tx). The "
    "records' blobs are held by the residents' clients; fetching them is not in the grant "
    "time (see api_download).",
    "One grant figure per run; its samples are the per-transaction submit-to-commit "
    "latencies (p50, p99).",
]


# --- for people ----------------------------------------------------------------------------------


def vault_tables(result: dict[str, Any]) -> list[Table]:
    """The result as Rich tables: blob throughput with ratios, then the grants."""
    blobs = Table(title="Vault benchmark: blobs (MiB/s, median of "
                        f"{result['settings']['repeat']})")
    for col in ("blob", "figure", "MiB/s", "ms", "vs copy"):
        blobs.add_column(col, justify="left" if col in ("blob", "figure") else "right")
    for entry in result["blobs"]:
        label = _size_label(entry["blob_bytes"])
        rows: list[tuple[str, dict[str, Any], str]] = [
            ("file copy", entry["copy_no_fsync"], ""),
            ("file copy + fsync", entry["copy_fsync"], "")]
        for backend in ("files", "postgresql"):
            if backend not in entry:
                continue
            figures, ratios = entry[backend], entry["ratios"][backend]
            rows += [
                (f"API upload ({backend})", figures["api_upload"],
                 f"{ratios['upload_vs_copy_fsync']}× (fsync)"),
                (f"API download ({backend})", figures["api_download"],
                 f"{ratios['download_vs_copy_no_fsync']}×"),
                (f"store put ({backend})", figures["store_put"],
                 f"{ratios['store_put_vs_copy_fsync']}× (fsync)"),
                (f"store get ({backend})", figures["store_get"],
                 f"{ratios['store_get_vs_copy_no_fsync']}×")]
        rows += [("envelope seal", entry["seal"], ""), ("envelope open", entry["open"], "")]
        for i, (name, figure, ratio) in enumerate(rows):
            blobs.add_row(label if i == 0 else "", name, f"{figure['mib_per_s']:,.1f}",
                          f"{figure['ms_median']:,.3f}", ratio)
        blobs.add_section()
    grants = Table(title="Vault benchmark: grants")
    for col in ("grants", "records", "total s", "grants/s", "records/s", "reseal s", "sign s",
                "ledger s", "p50 ms", "p99 ms"):
        grants.add_column(col, justify="right")
    for g in result["grants"].values():
        grants.add_row(f"{g['grants']:,}", f"{g['records']:,} ({g['records_per_grant_max']}"
                       "/grant)", f"{g['total_s']:.3f}", f"{g['grants_per_s']:,.1f}",
                       f"{g['records_per_s']:,.1f}", f"{g['reseal_s']:.3f}",
                       f"{g['sign_s']:.3f}", f"{g['ledger_s']:.3f}",
                       f"{g['latency_ms_p50']:,.1f}", f"{g['latency_ms_p99']:,.1f}")
    return [blobs, grants]


def _size_label(n: int) -> str:
    return f"{n / MIB:.2f} MiB" if n >= MIB else f"{n / 1024:.1f} KiB"
