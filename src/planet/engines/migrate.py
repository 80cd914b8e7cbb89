"""Bring an embedded node's database made before the on-disk state tree to the current form.

Such a database holds its records under the old app hash (a bucket tree) and no tree nodes,
so its app hashes, and the block hashes that commit to them, cannot be kept: the node's
blocks are re-executed from genesis into a new database, with the same heights, times,
proposers and transactions in the same order, and every transaction must end with the code
it had. The old file is kept beside the new one. A CometBFT network cannot be migrated
this way: its validators agree on the app hash, so they restart from a new genesis together.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planet.core.errors import PlanetError
from planet.core.genesis import parse_genesis
from planet.core.transition import BlockHeader
from planet.core.tx import compute_tx_hash
from planet.engines.blocks import block_records, compute_tx_root, open_application
from planet.engines.embedded import compute_block_hash
from planet.storage.sqlite import STATE_FORMAT, NodeStore

BACKUP_SUFFIX = ".before-state-tree"


@dataclass(frozen=True)
class MigrateReport:
    blocks: int
    txs: int
    app_hash: str
    backup: str

    def to_json(self) -> dict[str, object]:
        return {"blocks": self.blocks, "txs": self.txs, "app_hash": self.app_hash,
                "backup": self.backup}


def needs_migration(db: Path) -> bool:
    store = NodeStore(db)
    try:
        return store.genesis_document() is not None and store.state_format() != STATE_FORMAT
    finally:
        store.close()


def migrate_database(db: Path, progress: Callable[[int, int], None] | None = None
                     ) -> MigrateReport:
    """Replay `db`'s blocks into a database of the current form, then swap the files."""
    if not needs_migration(db):
        raise PlanetError(f"{db} is already in the current form; nothing to migrate")
    work = db.with_name(db.name + ".migrating")
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    old = NodeStore(db)
    new = NodeStore(work)
    try:
        genesis = parse_genesis(old.genesis_document() or {})
        app = open_application(new, genesis)
        total = old.last_height()
        prev = b"\x00" * 32
        blocks = txs = 0
        with old.snapshot():
            for block, raws in old.iter_blocks():
                hashes = [compute_tx_hash(r) for r in raws]
                tx_root = compute_tx_root(hashes)
                block_hash = compute_block_hash(genesis.chain_id, block.height, block.time, prev,
                                                tx_root, app.state.root(), block.proposer)
                header = BlockHeader(block.height, block.time, block.proposer, block_hash)
                result = app.finalize_block(header, raws)
                commit = app.commit()
                was = [t.code for t in old.block_txs(block.height)]
                now = [r.code for r in result.tx_results]
                if was != now:
                    raise PlanetError(f"block {block.height} replays with other results "
                                      f"({now} instead of {was}); the database is not migrated")
                record, tx_records = block_records(header, prev, tx_root,
                                                   list(zip(hashes, raws, strict=True)), result)
                new.commit_block(record, tx_records, commit.writes, commit.nodes)
                app.stored()
                prev = block_hash
                blocks += 1
                txs += len(raws)
                if progress is not None:
                    progress(block.height, total)
        app_hash = app.state.root().hex()
    except BaseException:
        new.close()
        old.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        raise
    new.close()
    old.close()
    backup = db.with_name(db.name + BACKUP_SUFFIX)
    for suffix in ("", "-wal", "-shm"):  # a WAL file belongs with its database's name
        if Path(str(db) + suffix).exists():
            os.replace(str(db) + suffix, str(backup) + suffix)
    for suffix in ("", "-wal", "-shm"):
        if Path(str(work) + suffix).exists():
            os.replace(str(work) + suffix, str(db) + suffix)
    return MigrateReport(blocks, txs, app_hash, str(backup))
