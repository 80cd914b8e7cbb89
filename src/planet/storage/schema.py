"""The node database's tables (SQLAlchemy Core). Alembic migrations create and evolve them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String, primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

blocks = Table(
    "blocks", metadata,
    Column("height", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False, unique=True),
    Column("prev_hash", LargeBinary, nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("app_hash", LargeBinary, nullable=False),
    Column("tx_root", LargeBinary, nullable=False),
    Column("tx_count", Integer, nullable=False),
    Column("proposer", String, nullable=False),
)

txs = Table(
    "txs", metadata,
    Column("height", BigInteger, primary_key=True, autoincrement=False),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False, index=True),
    Column("raw", LargeBinary, nullable=False),
    Column("code", Integer, nullable=False),
    Column("result", Text, nullable=False),
    Column("sender", String, nullable=True),  # the signer, for an account's history
    Index("ix_txs_sender", "sender", "height", "idx"),
)

state = Table(
    "state", metadata,
    Column("key", String, primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

state_nodes = Table(
    "state_nodes", metadata,
    Column("path", LargeBinary, primary_key=True),  # nibble path, one byte per nibble
    Column("node", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

block_events = Table(
    "block_events", metadata,
    Column("height", BigInteger, primary_key=True, autoincrement=False),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("phase", String, nullable=False),  # "begin" (the block's begin step) or "end"
    Column("type", String, nullable=False),
    Column("attributes", Text, nullable=False),  # JSON
    sqlite_with_rowid=False,
)

activity = Table(
    "activity", metadata,
    Column("address", String, primary_key=True),
    Column("height", BigInteger, primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # chain order in the block
    Column("tx_idx", Integer, nullable=True),  # None: a block event
    Column("ev_idx", Integer, nullable=False),  # in the tx's result events, or block_events.idx
    Column("type", String, nullable=False),
    Column("amount", BigInteger, nullable=True),  # µBD, signed for the address
    Column("force", BigInteger, nullable=True),  # Force, signed for the address
    sqlite_with_rowid=False,
)
