"""Run a real, throwaway PostgreSQL server for tests.

    with PostgresServer() as server:
        engine = create_engine(server.url)
        ...
        everything = server.dump()          # pg_dump of the database, plain SQL

The server lives in a fresh temporary folder (data directory, Unix socket, log), listens on
127.0.0.1 on a free port with trust authentication for the role `planet`, and is stopped and
removed on exit. PostgreSQL refuses to run as root, so under root the server commands run as
the `postgres` system user (which the Debian `postgresql` package creates).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import psycopg

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres", "pg_dump")
USER = "planet"
DATABASE = "planet"
SYSTEM_USER = "postgres"
# A Unix socket path is at most 107 bytes; leave room for "/.s.PGSQL.65535".
MAX_SOCKET_DIR = 90


def _has_server(bindir: Path) -> bool:
    return all((bindir / p).is_file() and os.access(bindir / p, os.X_OK) for p in SERVER_PROGRAMS)


def find_pg_bin() -> Path | None:
    """The folder of the PostgreSQL server programs (initdb, pg_ctl, postgres, pg_dump), or None.

    First `pg_config --bindir`, then the highest version under /usr/lib/postgresql/*/bin.
    """
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 check=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and _has_server(Path(out)):
            return Path(out)
    versions: list[tuple[tuple[int, ...], Path]] = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        version = bindir.parent.name
        if re.fullmatch(r"\d+(\.\d+)*", version) and _has_server(bindir):
            versions.append((tuple(int(x) for x in version.split(".")), bindir))
    return max(versions)[1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """The environment without PG* variables (PGDATA, PGHOST, PGPORT…), which would steer the tools."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PostgresServer:
    """A PostgreSQL server in a temporary folder; a context manager (start on enter, stop on exit)."""

    def __init__(self, bindir: Path | None = None, start_timeout: int = 60) -> None:
        found = bindir or find_pg_bin()
        if found is None:
            raise RuntimeError("no PostgreSQL server binaries found (run scripts/install-postgres)")
        self.bindir = found
        self.start_timeout = start_timeout
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.port = 0
        self.tmp: Path | None = None
        self.started = False
        self.start_seconds = 0.0

    # --- paths -------------------------------------------------------------------------------

    def _dir(self) -> Path:
        if self.tmp is None:
            raise RuntimeError("the PostgreSQL server is not started")
        return self.tmp

    @property
    def data_dir(self) -> Path:
        """The server's data directory (tables, WAL); its log is at `log_path`, next to it."""
        return self._dir() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._dir() / "sock"

    @property
    def log_path(self) -> Path:
        return self._dir() / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    # --- running programs --------------------------------------------------------------------

    def _server_cmd(self, program: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / program), *args]
        return ["runuser", "-u", SYSTEM_USER, "--", *cmd] if self.as_root else cmd

    def _run(self, cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(cmd, capture_output=True, env=_clean_env(), cwd=self._dir(), timeout=timeout,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}")
        return proc

    def _make_tmp(self) -> Path:
        base = Path(tempfile.gettempdir())
        # The socket path must stay short, and under root the `postgres` user must be able to
        # walk down to the folder; /tmp always allows both.
        # pg_ctl passes the server options through a shell, so the path must have no blanks either.
        if (len(str(base)) > MAX_SOCKET_DIR - 30 or any(c.isspace() for c in str(base))
                or (self.as_root and not _world_traversable(base))):
            base = Path("/tmp")
        tmp = Path(tempfile.mkdtemp(prefix="planet-pg-", dir=base))
        (tmp / "data").mkdir(mode=0o700)
        (tmp / "sock").mkdir(mode=0o700)
        if self.as_root:
            tmp.chmod(0o711)
            for p in (tmp / "data", tmp / "sock"):
                shutil.chown(p, SYSTEM_USER, SYSTEM_USER)
            (tmp / "server.log").touch(mode=0o600)
            shutil.chown(tmp / "server.log", SYSTEM_USER, SYSTEM_USER)
        return tmp

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        t0 = time.monotonic()
        if self.as_root and shutil.which("runuser") is None:
            raise RuntimeError("running as root needs `runuser` to start PostgreSQL as the postgres user")
        self.tmp = self._make_tmp()
        try:
            self._run(self._server_cmd("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", USER,
                                       "--encoding=UTF8", "--locale=C", "--no-sync"))
            for attempt in range(3):
                self.port = _free_port()
                options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
                           " -c fsync=off")
                try:
                    self._run(self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path),
                                               "-w", "-t", str(self.start_timeout), "-o", options, "start"),
                              timeout=self.start_timeout + 30)
                    break
                except RuntimeError as e:
                    # Most likely someone took the port between choosing and binding it.
                    if attempt == 2:
                        raise RuntimeError(f"{e}\nserver log:\n{self._log_text()}") from None
            self.started = True
            with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                                 autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
        except BaseException:
            with contextlib.suppress(Exception):
                self.stop()
            raise
        self.start_seconds = time.monotonic() - t0
        return self

    def _log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"

    def dump(self) -> bytes:
        """`pg_dump` of the database in plain SQL (COPY rows), as bytes."""
        cmd = [str(self.bindir / "pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER,
               "--no-password", "--format=plain", DATABASE]
        return self._run(cmd).stdout

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder. Safe to call twice."""
        if self.tmp is None:
            return
        try:
            if self.started or (self.data_dir / "postmaster.pid").exists():
                try:
                    self._run(self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w",
                                               "stop"), timeout=90)
                except (RuntimeError, subprocess.TimeoutExpired):
                    self._run(self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-m", "immediate",
                                               "-w", "stop"), timeout=90)
        finally:
            self.started = False
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _world_traversable(path: Path) -> bool:
    """Whether any user can walk through every folder from / down to `path`."""
    p = path.resolve()
    return all(d.stat().st_mode & 0o001 for d in (p, *p.parents))
