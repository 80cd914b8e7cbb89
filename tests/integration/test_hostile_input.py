"""Hostile input to a real `planet node` process over raw loopback sockets: each attack is
refused early (a 4xx in the JSON error shape, or the connection closed), and the node's
resident memory stays within `GROWTH_LIMIT` while it lasts (issue 12, section 2).

Memory is the node's peak resident set (VmHWM, reset through /proc/PID/clear_refs before
each attack) minus its resident set before. Every loop is bounded in count and in time;
waits are on conditions (a socket readable, closed) with generous deadlines.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from planet.api.limits import HttpLimits
from planet.core.vault.messages import AddRecord
from planet.sdk.blobauth import sign_blob_request
from planet.sdk.client import PlanetClient
from planet.sdk.envelope import seal_record
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, planet, wait_until

MiB = 1 << 20
GROWTH_LIMIT = 64 * MiB
HEADER_TIMEOUT_S = 1.0  # the test node's limits; the defaults are in planet.api.limits
BODY_TIMEOUT_S = 2.0
LINGER_S, LINGER_BYTES = 1.0, 4 * MiB
SSE_TOTAL, SSE_PER_CLIENT = 24, 8
CHAIN = "planet-hostile"


# --- the node and its memory ------------------------------------------------------------------

@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    home = tmp_path_factory.mktemp("hostile") / "home"
    planet("init", "--home", str(home), "--chain-id", CHAIN)
    config_file = home / "config.json"
    config = json.loads(config_file.read_text())
    config["drill_operator"] = False  # no background traffic while memory is measured
    config["http_limits"] = {"header_timeout_s": HEADER_TIMEOUT_S, "linger_s": LINGER_S,
                             "body_timeout_s": BODY_TIMEOUT_S,
                             "linger_bytes": LINGER_BYTES,
                             "sse_max_streams": SSE_TOTAL,
                             "sse_max_streams_per_client": SSE_PER_CLIENT}
    config_file.write_text(json.dumps(config))
    n = NodeProcess(home).start()
    yield n
    n.stop()


def proc_status(pid: int, key: str) -> int:
    """A size line of /proc/PID/status (VmRSS, VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


class Memory:
    """The node's resident memory before an attack and its peak growth since."""

    def __init__(self, node: NodeProcess) -> None:
        assert node.proc is not None
        self.pid = node.proc.pid
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        self.before = proc_status(self.pid, "VmRSS")

    def grown(self) -> int:
        return proc_status(self.pid, "VmHWM") - self.before

    def report(self, what: str) -> str:
        return (f"{what}: node RSS {self.before / MiB:.0f} MiB before, peak "
                f"{(self.before + self.grown()) / MiB:.0f} MiB")


# --- raw HTTP over sockets --------------------------------------------------------------------

@dataclass
class Answer:
    status: int | None  # None: closed without an answer
    headers: dict[str, str]
    body: bytes
    sent: int = 0  # body or header bytes the attacker got to send

    def json(self) -> dict[str, object]:
        doc = json.loads(self.body)
        assert isinstance(doc, dict)
        return doc


def connect(node: NodeProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", node.port), timeout=10)


def read_answer(sock: socket.socket, deadline: float, *, whole: bool = True) -> Answer:
    """The response on `sock` (head, then a Content-Length body when `whole`), or
    status None if the server closed or reset the connection first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = recv(sock, deadline)
        if not chunk:
            return Answer(None, {}, data)
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    length = int(headers.get("content-length", "0")) if whole else 0
    while len(body) < length:
        chunk = recv(sock, deadline)
        if not chunk:
            break
        body += chunk
    return Answer(status, headers, body)


def ready(socks: list[socket.socket], timeout: float, write: bool = False
          ) -> tuple[list[socket.socket], list[socket.socket]]:
    """Which of `socks` are readable (data, or closed) and writable within `timeout` s
    (poll, not select: the sockets' descriptors may pass 1024)."""
    poller = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poller.register(fd, select.POLLIN | (select.POLLOUT if write else 0))
    events = poller.poll(max(0.0, timeout) * 1000)
    readable = [by_fd[fd] for fd, ev in events
                if ev & (select.POLLIN | select.POLLHUP | select.POLLERR)]
    writable = [by_fd[fd] for fd, ev in events if ev & select.POLLOUT]
    return readable, writable


def recv(sock: socket.socket, deadline: float) -> bytes:
    """Up to 64 KiB, b"" once closed or reset; fails after `deadline`."""
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not ready([sock], remaining)[0]:
        raise AssertionError("the server neither answered nor closed the connection in time")
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def push(sock: socket.socket, frame: bytes, count: int, deadline: float) -> tuple[int, bool]:
    """Send `frame` up to `count` times, stopping as soon as the server answers, closes or
    stops reading for good. Returns (bytes sent, whether the server spoke first)."""
    sock.setblocking(False)
    sent = pos = frames = 0
    try:
        while frames < count and time.monotonic() < deadline:
            readable, writable = ready([sock], 1.0, write=True)
            if readable:
                return sent, True
            if not writable:
                continue
            try:
                n = sock.send(frame[pos:pos + 256 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                return sent, True
            sent += n
            pos += n
            if pos == len(frame):
                pos, frames = 0, frames + 1
        return sent, False
    finally:
        sock.setblocking(True)


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """Wait until the server closes `sock` (reading and dropping what it says first)."""
    while time.monotonic() < deadline:
        if not ready([sock], deadline - time.monotonic())[0]:
            break
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
    return False


def in_parallel(count: int, attack: Callable[[int], Answer]) -> list[Answer]:
    """Run `attack(i)` for i < count on threads; their answers in order."""
    answers: list[Answer | BaseException | None] = [None] * count

    def run(i: int) -> None:
        try:
            answers[i] = attack(i)
        except BaseException as err:  # re-raised below, on the test's thread
            answers[i] = err

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    out: list[Answer] = []
    for a in answers:
        if isinstance(a, BaseException):
            raise a
        assert a is not None, "an attack thread did not finish"
        out.append(a)
    return out


def chunked_stream(node: NodeProcess, path: str, total: int, extra: str = "") -> Answer:
    """POST a chunked body of `total` bytes (1 MiB chunks) unless answered first."""
    deadline = time.monotonic() + 60
    with connect(node) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: node\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: application/octet-stream\r\n{extra}\r\n".encode())
        sent, answered = push(sock, b"100000\r\n" + b"a" * MiB + b"\r\n", total // MiB, deadline)
        if not answered:
            sock.sendall(b"0\r\n\r\n")
        answer = read_answer(sock, deadline)
        answer.sent = sent
        return answer


def unfinished_header(node: NodeProcess, size: int, keep: list[socket.socket]) -> Answer:
    """A header line of `size` bytes that never ends; the socket stays open in `keep`."""
    deadline = time.monotonic() + 60
    sock = connect(node)
    keep.append(sock)
    sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\nX-Filler: ")
    sent, answered = push(sock, b"a" * MiB, size // MiB, deadline)
    answer = read_answer(sock, time.monotonic() + 10) if answered else Answer(None, {}, b"")
    answer.sent = sent
    return answer


def assert_error(answer: Answer, status: int, error: str) -> None:
    assert answer.status == status, answer
    doc = answer.json()
    assert set(doc) == {"code", "codespace", "error", "message"} and doc["error"] == error, doc
    assert doc["message"], doc


def status_answers(node: NodeProcess) -> None:
    """The node still serves a plain read promptly."""
    r = httpx.get(f"{node.url}/v1/status", timeout=5)
    assert r.status_code == 200


# --- bodies -----------------------------------------------------------------------------------

def test_chunked_bodies_are_refused_at_the_route_limit(node: NodeProcess) -> None:
    memory = Memory(node)
    answers = in_parallel(3, lambda _i: chunked_stream(node, "/v1/identity/verify", 300 * MiB))
    print(memory.report("three 300 MiB chunked streams to /v1/identity/verify"))
    for answer in answers:
        assert_error(answer, 413, "BodyTooLarge")
        assert "4096" in str(answer.json()["message"])
        assert answer.sent < 300 * MiB  # refused while it was still sending
    assert memory.grown() < GROWTH_LIMIT, memory.report("chunked bodies")

    tx = chunked_stream(node, "/v1/txs", 8 * MiB)
    assert_error(tx, 413, "BodyTooLarge")
    status_answers(node)


def test_the_rest_of_a_refused_body_is_dropped_then_the_connection_closed(
        node: NodeProcess) -> None:
    """After its 413 the client sends on: the node reads and drops at most LINGER_BYTES
    of it, or for LINGER_S, then closes."""
    for keep_sending in (False, True):
        with connect(node) as sock:
            sock.sendall(b"POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Length: 1000000000\r\n"
                         b"\r\n")
            assert_error(read_answer(sock, time.monotonic() + 10), 413, "BodyTooLarge")
            deadline = time.monotonic() + 10 * LINGER_S + 10
            if keep_sending:
                sent, _ = push(sock, b"a" * MiB, 1000, deadline)
                assert sent < 2 * LINGER_BYTES + 8 * MiB  # socket buffers hold a few MiB
            assert closed_by_server(sock, deadline)


def test_a_declared_length_over_the_limit_is_refused_before_the_body(node: NodeProcess) -> None:
    for path, length in (("/v1/identity/verify", 4097), ("/v1/txs", 64 * 1024 + 1),
                         ("/v1/txs", 1 << 40)):
        with connect(node) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: node\r\nContent-Length: {length}\r\n"
                         "\r\n".encode())
            assert_error(read_answer(sock, time.monotonic() + 10), 413, "BodyTooLarge")


# --- headers ----------------------------------------------------------------------------------

def test_a_huge_header_line_is_refused_with_431(node: NodeProcess) -> None:
    memory = Memory(node)
    with connect(node) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\nX-Filler: ")
        sent, answered = push(sock, b"a" * MiB, 64, time.monotonic() + 60)
        if not answered:
            sock.sendall(b"\r\n\r\n")
        answer = read_answer(sock, time.monotonic() + 10)
        assert_error(answer, 431, "HeaderTooLarge")
        assert answer.headers.get("connection") == "close"
        assert closed_by_server(sock, time.monotonic() + 10)
    print(memory.report("a 64 MiB header line"), f"(sent {sent / MiB:.1f} MiB)")
    assert memory.grown() < GROWTH_LIMIT, memory.report("64 MiB header")

    at_limit = "a" * (12 * 1024)  # a large but allowed header block is still served
    assert httpx.get(f"{node.url}/v1/health", headers={"X-Filler": at_limit},
                     timeout=10).status_code == 200


def test_unfinished_huge_headers_do_not_pile_up(node: NodeProcess) -> None:
    memory = Memory(node)
    keep: list[socket.socket] = []
    try:
        answers = in_parallel(6, lambda _i: unfinished_header(node, 48 * MiB, keep))
        print(memory.report("six unfinished 48 MiB headers"))
        for answer in answers:
            assert answer.status in (431, None), answer  # refused, or closed while sending
            assert answer.sent < 48 * MiB
        assert memory.grown() < GROWTH_LIMIT, memory.report("unfinished headers")
        status_answers(node)
    finally:
        for sock in keep:
            sock.close()


def test_slowloris_connections_are_closed(node: NodeProcess) -> None:
    """100 connections each send one header byte a second; the node closes every one
    once its header deadline passes (1 s on this node)."""
    memory = Memory(node)
    socks = [connect(node) for _ in range(100)]
    try:
        for sock in socks:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\nX-Slow: ")
        open_ = set(socks)
        deadline = time.monotonic() + 10 * HEADER_TIMEOUT_S + 10
        while open_ and time.monotonic() < deadline:
            readable, _ = ready(list(open_), 1.0)  # the 1 byte/s pace
            for sock in readable:
                with contextlib.suppress(ConnectionResetError):
                    data = sock.recv(65536)
                    if data:  # the node says why before it closes: 408
                        assert data.startswith(b"HTTP/1.1 408 "), data[:100]
                        continue
                open_.discard(sock)
            for sock in list(open_):
                try:
                    sock.send(b"a")
                except (BrokenPipeError, ConnectionResetError):
                    open_.discard(sock)
        assert not open_, f"{len(open_)} of 100 slow connections still open"
    finally:
        for sock in socks:
            sock.close()
    assert memory.grown() < GROWTH_LIMIT, memory.report("slowloris")
    status_answers(node)


def test_slow_bodies_are_answered_408_and_closed(node: NodeProcess) -> None:
    """20 clients each send a tx body one byte a second after a complete head; the node
    answers 408 once its body deadline (2 s on this node) passes, and closes."""
    memory = Memory(node)
    socks = [connect(node) for _ in range(20)]
    try:
        for sock in socks:
            sock.sendall(b"POST /v1/txs HTTP/1.1\r\nHost: node\r\nContent-Type: "
                         b"application/json\r\nContent-Length: 1000\r\n\r\n{")
        answers: dict[socket.socket, bytes] = {}
        deadline = time.monotonic() + 10 * BODY_TIMEOUT_S + 10
        while len(answers) < len(socks) and time.monotonic() < deadline:
            waiting = [sock for sock in socks if sock not in answers]
            readable, _ = ready(waiting, 1.0)  # the 1 byte/s pace
            for sock in readable:
                try:
                    answers[sock] = sock.recv(65536)
                except ConnectionResetError:
                    answers[sock] = b""
            for sock in waiting:
                if sock not in answers:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        sock.send(b" ")
        assert len(answers) == len(socks), f"{len(socks) - len(answers)} slow bodies still open"
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers.values()), \
            [a[:60] for a in answers.values()]
        assert all(closed_by_server(sock, time.monotonic() + 10) for sock in socks)
    finally:
        for sock in socks:
            sock.close()
    assert memory.grown() < GROWTH_LIMIT, memory.report("slow bodies")
    status_answers(node)


def test_keep_alive_pipelining_and_long_streams_still_work(node: NodeProcess) -> None:
    """The head limits close nothing a well-behaved client does: requests pipelined in one
    write, a connection reused, a stream open far longer than the header deadline."""
    with connect(node) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: node\r\n\r\n"
                     b"GET /v1/status HTTP/1.1\r\nHost: node\r\n\r\n"
                     b"GET /v1/health HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n")
        data = b""
        deadline = time.monotonic() + 10
        while chunk := recv(sock, deadline):
            data += chunk
        assert data.count(b"HTTP/1.1 200 OK\r\n") == 3, data

    with httpx.Client(base_url=node.url, timeout=10) as client:
        for _ in range(3):  # one connection, kept alive
            assert client.get("/v1/health").status_code == 200
        with client.stream("GET", "/v1/events") as stream:
            assert stream.status_code == 200
            opened = time.monotonic()
            blocks = 0
            for line in stream.iter_lines():  # a block at least every 5 s (empty blocks)
                blocks += line.startswith("event: block")
                if blocks and time.monotonic() - opened > 3 * HEADER_TIMEOUT_S:
                    break
                assert time.monotonic() - opened < 60, "no block event on the stream"
        assert client.get("/v1/health").status_code == 200


def test_idle_connections_are_closed(node: NodeProcess) -> None:
    socks = [connect(node) for _ in range(50)]
    try:
        deadline = time.monotonic() + 10 * HEADER_TIMEOUT_S + 10
        assert all(closed_by_server(s, deadline) for s in socks)
    finally:
        for sock in socks:
            sock.close()


# --- blob upload ------------------------------------------------------------------------------

@dataclass
class Record:
    owner: Wallet
    digest: str
    blob: bytes


@pytest.fixture(scope="module")
def record(node: NodeProcess) -> Record:
    """A resident with a committed record whose ciphertext is not uploaded yet."""
    client = PlanetClient(node.url)
    operator = load_keystore(node.home / "keys" / "operator.json", None)
    owner = Wallet.generate()
    client.register_resident(owner, client.create_invites(operator, 1)[0])
    sealed = seal_record(b"a trip to the sea" * 100, owner.encryption_public_key)
    outcome = client.send(owner, AddRecord(digest=sealed.digest, category="travel", time=1,
                                           size=len(sealed.blob)))
    assert outcome.ok, outcome
    client.close()
    return Record(owner, sealed.digest, sealed.blob)


def put_head(node: NodeProcess, digest: str, length: int | None,
             headers: dict[str, str] | None = None) -> socket.socket:
    framing = "Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}"
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    sock = connect(node)
    sock.sendall(f"PUT /v1/blobs/{digest} HTTP/1.1\r\nHost: node\r\n{framing}\r\n{extra}"
                 "\r\n".encode())
    return sock


def test_blob_upload_is_checked_before_its_body_is_read(node: NodeProcess,
                                                        record: Record) -> None:
    """The head alone (no body byte sent) is enough to be refused."""
    stranger = Wallet.generate()
    cases = [
        ({}, 401, "BadRequestSignature", "unsigned"),
        (sign_blob_request(stranger, chain_id=CHAIN, digest=record.digest, method="PUT"),
         401, "BadRequestSignature", "not an account"),
        (sign_blob_request(record.owner, chain_id=CHAIN, digest="0" * 64, method="PUT"),
         401, "BadRequestSignature", "bad signature"),  # signed for another digest
    ]
    for headers, status, error, text in cases:
        for length in (len(record.blob), None):
            with put_head(node, record.digest, length, headers) as sock:
                answer = read_answer(sock, time.monotonic() + 10)
            assert_error(answer, status, error)
            assert text in str(answer.json()["message"]), answer
    no_record = hashlib.sha256(b"nothing committed").hexdigest()
    with put_head(node, no_record, 10, sign_blob_request(
            record.owner, chain_id=CHAIN, digest=no_record, method="PUT")) as sock:
        assert_error(read_answer(sock, time.monotonic() + 10), 403, "BlobRefused")
    with put_head(node, record.digest, len(record.blob) + 1, sign_blob_request(
            record.owner, chain_id=CHAIN, digest=record.digest, method="PUT")) as sock:
        answer = read_answer(sock, time.monotonic() + 10)
        assert_error(answer, 403, "BlobRefused")
        assert "bytes on the ledger" in str(answer.json()["message"])


def test_unsigned_uploads_do_not_buffer(node: NodeProcess, record: Record) -> None:
    memory = Memory(node)

    def upload(_i: int) -> Answer:
        deadline = time.monotonic() + 60
        with put_head(node, record.digest, 4 * MiB) as sock:
            sent, _answered = push(sock, b"a" * MiB, 4, deadline)
            answer = read_answer(sock, deadline)
            answer.sent = sent
            return answer

    answers = in_parallel(64, upload)
    print(memory.report("64 unsigned 4 MiB uploads"))
    for answer in answers:
        assert_error(answer, 401, "BadRequestSignature")
    assert memory.grown() < GROWTH_LIMIT, memory.report("unsigned uploads")


def test_a_chunked_upload_is_held_to_the_committed_size(node: NodeProcess,
                                                        record: Record) -> None:
    def chunked_put(body: bytes) -> Answer:
        headers = sign_blob_request(record.owner, chain_id=CHAIN, digest=record.digest,
                                    method="PUT")
        with put_head(node, record.digest, None, headers) as sock:
            deadline = time.monotonic() + 30
            push(sock, b"%x\r\n" % len(body) + body + b"\r\n", 1, deadline)
            push(sock, b"0\r\n\r\n", 1, deadline)
            return read_answer(sock, deadline)

    too_long = chunked_put(record.blob + b"x")
    assert_error(too_long, 413, "BlobTooLarge")
    short = chunked_put(record.blob[:-1])
    assert_error(short, 403, "BlobRefused")
    forged = chunked_put(record.blob[:-1] + bytes([record.blob[-1] ^ 1]))
    assert_error(forged, 403, "BlobRefused")
    assert "digest" in str(forged.json()["message"])
    stored = chunked_put(record.blob)
    assert stored.status == 201 and stored.json()["stored"] is True, stored


# --- server-sent events -----------------------------------------------------------------------

def open_stream(node: NodeProcess, client: str | None = None) -> tuple[socket.socket, Answer]:
    """GET /v1/events, as `client` (X-Forwarded-For, which the node trusts from loopback
    like any local reverse proxy) or as this loopback address."""
    sock = connect(node)
    forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
    sock.sendall(f"GET /v1/events HTTP/1.1\r\nHost: node\r\n{forwarded}\r\n".encode())
    return sock, read_answer(sock, time.monotonic() + 10, whole=False)


def test_event_streams_are_capped(node: NodeProcess) -> None:
    memory = Memory(node)
    held: list[socket.socket] = []
    try:
        for _ in range(SSE_PER_CLIENT):
            sock, answer = open_stream(node)
            held.append(sock)
            assert answer.status == 200, answer
        refused = read_refusal(node, None)
        assert_error(refused, 429, "TooManyStreams")
        assert refused.headers.get("retry-after") and "per client" in str(
            refused.json()["message"])

        for i in range(SSE_TOTAL - SSE_PER_CLIENT):  # other clients fill the node
            sock, answer = open_stream(node, f"10.0.{i // 4}.{i % 4 + 1}")
            held.append(sock)
            assert answer.status == 200, answer
        refused = read_refusal(node, "10.9.9.9")
        assert_error(refused, 503, "TooManyStreams")
        assert "at most" in str(refused.json()["message"])

        for i in range(300):  # the flood: every further stream is refused
            refusal = read_refusal(node, f"10.1.{i // 250}.{i % 250 + 1}")
            assert refusal.status == 503, refusal
        print(memory.report("300 event streams over the cap"))

        held.pop().close()  # a client leaves: its slot is free again
        sock = wait_until("a freed event-stream slot", lambda: accepted(node, "10.9.9.9"),
                          timeout=10)
        held.append(sock)
    finally:
        for sock in held:
            sock.close()
    assert memory.grown() < GROWTH_LIMIT, memory.report("event streams")
    # every slot is released once its client is gone
    wait_until("all stream slots released", lambda: accepted_all(node, SSE_PER_CLIENT),
               timeout=10)


def read_refusal(node: NodeProcess, client: str | None) -> Answer:
    sock = connect(node)
    forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
    with sock:
        sock.sendall(f"GET /v1/events HTTP/1.1\r\nHost: node\r\n{forwarded}\r\n".encode())
        return read_answer(sock, time.monotonic() + 10)


def accepted(node: NodeProcess, client: str) -> socket.socket | None:
    sock, answer = open_stream(node, client)
    if answer.status == 200:
        return sock
    sock.close()
    return None


def accepted_all(node: NodeProcess, count: int) -> bool:
    socks = []
    try:
        for _ in range(count):
            sock, answer = open_stream(node)
            socks.append(sock)
            if answer.status != 200:
                return False
        return True
    finally:
        for sock in socks:
            sock.close()


def test_a_limit_config_names_its_mistake() -> None:
    assert HttpLimits.from_config({"sse_max_streams": 5}).sse_max_streams == 5
    with pytest.raises(ValueError, match=r"unknown limit.*max_header_byte"):
        HttpLimits.from_config({"max_header_byte": 1})
    with pytest.raises(ValueError, match="header_timeout_s: expected a positive number"):
        HttpLimits.from_config({"header_timeout_s": 0})
