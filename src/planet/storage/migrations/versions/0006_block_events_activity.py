"""Keep each block's begin-step events, and index every event by the addresses it names.

`block_events` holds what a block's begin step emitted (request expiries, drill draws, grant
expiries); `activity` is an account's history from the ledger (planet.storage.activity).
Both are written from now on in each block's commit. Old blocks' begin-step events were
never stored and cannot be recovered without a replay: `block_events` starts empty, and
`activity` is rebuilt here from the stored transaction results alone, in this migration's
transaction (a crash leaves the store at 0005, and the next start runs it again).

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

from planet.storage.activity import activity_rows, chain_events

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BLOCKS_PER_BATCH = 1_000


def upgrade() -> None:
    op.create_table(
        "block_events",
        sa.Column("height", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("phase", sa.String, nullable=False),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "activity",
        sa.Column("address", sa.String, primary_key=True),
        sa.Column("height", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("tx_idx", sa.Integer, nullable=True),
        sa.Column("ev_idx", sa.Integer, nullable=False),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=True),
        sa.Column("force", sa.BigInteger, nullable=True),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    top = conn.exec_driver_sql("SELECT MAX(height) FROM txs").scalar() or 0
    for low in range(0, top + 1, BLOCKS_PER_BATCH):  # bounded memory on a long chain
        by_height: dict[int, list[tuple[int, int, dict[str, object]]]] = {}
        for h, idx, code, result in conn.exec_driver_sql(
                "SELECT height, idx, code, result FROM txs WHERE code = 0 AND height >= ? "
                "AND height < ? ORDER BY height, idx", (low, low + BLOCKS_PER_BATCH)):
            by_height.setdefault(h, []).append((idx, code, json.loads(result)))
        rows = [row for h, txs in by_height.items()
                for row in activity_rows(h, chain_events((), txs))]
        if rows:
            conn.exec_driver_sql("INSERT INTO activity (address, height, seq, tx_idx, ev_idx, "
                                 "type, amount, force) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def downgrade() -> None:
    op.drop_table("activity")
    op.drop_table("block_events")
