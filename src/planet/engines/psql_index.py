"""CometBFT's PostgreSQL event indexer ("psql" sink) for consortium validators.

With `[tx_index] indexer = "psql"` and `psql-conn = URL` in its config.toml, a CometBFT
v0.38 node writes every block it commits (height, chain id) and every tx result with its
events and their attributes into four tables of that database (blocks, tx_results, events,
attributes, and the views block_events, tx_events, event_attributes), for analytics and
audit in SQL. The tables must exist first: their schema is CometBFT's own
`state/indexer/sink/psql/schema.sql`, which we never copy into this repository but read at
run time from the Go module cache that `go install …/cometbft@v0.38.25` filled
(scripts/install-cometbft).

What lands in the index is what our ABCI events carry — addresses, digests, amounts, ids,
counts — and each tx's result (code, data, log); never a vault record's plaintext or an
identity check's details, which never reach the ledger.

With the psql sink CometBFT serves neither `/tx` nor `/tx_search` (nor `/block_search`)
on its RPC; Planet never uses them (CometNode calls only `broadcast_tx_sync` and
`num_unconfirmed_txs`; reads go to the app's own store and HTTP API).

One database for a whole `planet testnet`: the sink keys each block by (height, chain_id)
and inserts blocks and tx results with ON CONFLICT DO NOTHING, so the validators of one
chain write each block once between them (the first to commit it) and the index keeps
filling while any validator is up; one URL, one schema. For a real network each partner
points its own validator at its own database, since each index is then only as trustworthy
as the node that wrote it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from planet.engines.binary import COMETBFT_VERSION
from planet.engines.config_toml import set_keys

COMETBFT_MODULE = f"github.com/cometbft/cometbft@v{COMETBFT_VERSION}"
SCHEMA_IN_MODULE = "state/indexer/sink/psql/schema.sql"
TABLES = ("blocks", "tx_results", "events", "attributes")


class PsqlIndexError(ValueError):
    """The indexer cannot be set up (schema not found, database unreachable or half-made);
    a ValueError so the CLI reports it as a usage error, without a traceback."""


def _module_caches() -> list[Path]:
    """Where `go install` may have put the module sources: `go env GOMODCACHE`, else
    $GOMODCACHE, $GOPATH/pkg/mod, ~/go/pkg/mod."""
    out: list[Path] = []
    go = shutil.which("go") or ("/usr/local/go/bin/go"
                                if os.access("/usr/local/go/bin/go", os.X_OK) else None)
    if go:
        try:
            found = subprocess.run([go, "env", "GOMODCACHE"], capture_output=True, text=True,
                                   timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            out.append(Path(found))
    if os.environ.get("GOMODCACHE"):
        out.append(Path(os.environ["GOMODCACHE"]))
    for gopath in os.environ.get("GOPATH", "").split(os.pathsep):
        if gopath:
            out.append(Path(gopath) / "pkg" / "mod")
    out.append(Path.home() / "go" / "pkg" / "mod")
    return list(dict.fromkeys(out))


def schema_path() -> Path:
    """CometBFT v0.38.25's psql schema in the Go module cache; an error if it is missing."""
    caches = _module_caches()
    for cache in caches:
        path = cache / COMETBFT_MODULE / SCHEMA_IN_MODULE
        if path.is_file():
            return path
    looked = ", ".join(str(c / COMETBFT_MODULE / SCHEMA_IN_MODULE) for c in caches)
    raise PsqlIndexError(
        "CometBFT's psql indexer schema was not found in the Go module cache (looked at "
        f"{looked}); run scripts/install-cometbft (`go install "
        f"github.com/cometbft/cometbft/cmd/cometbft@v{COMETBFT_VERSION}` fills it), or set "
        "GOMODCACHE")


def _connect_url(url: str) -> str:
    """The URL for psycopg: a SQLAlchemy-style postgresql+psycopg:// becomes postgresql://."""
    scheme, sep, rest = url.partition("://")
    if sep and "+" in scheme:
        return f"{scheme.split('+', 1)[0]}://{rest}"
    return url


def install_schema(url: str) -> bool:
    """Create the indexer's tables and views in the database at `url` unless they exist.
    True when it created them; an error if the database holds only some of them."""
    sql = schema_path().read_text()
    try:
        with psycopg.connect(_connect_url(url), connect_timeout=10) as conn:
            present = [t for t in TABLES if conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", (t,)).fetchone() == (True,)]
            if len(present) == len(TABLES):
                return False
            if present:
                raise PsqlIndexError(f"the database has some of the indexer's tables "
                                     f"({', '.join(present)}) but not all; fix or drop them")
            conn.execute(sql.encode())
            return True
    except psycopg.Error as err:
        raise PsqlIndexError(f"cannot install the psql indexer schema: {err}") from err


def indexer_config(text: str, url: str) -> str:
    """config.toml with CometBFT's tx/block indexer set to the psql sink at `url`."""
    return set_keys(text, "tx_index", {"indexer": "psql", "psql-conn": url})


def enable(cometbft_home: Path, url: str) -> bool:
    """Install the schema in `url`'s database (if needed), then point the CometBFT node at
    `cometbft_home` to it. Returns whether the tables were created now."""
    created = install_schema(url)
    cfg = cometbft_home / "config" / "config.toml"
    cfg.write_text(indexer_config(cfg.read_text(), url))
    return created
