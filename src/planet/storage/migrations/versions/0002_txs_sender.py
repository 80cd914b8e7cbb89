"""Index transactions by sender, for an account's history (newest first, paged).

Revision ID: 0002
Revises: 0001
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _sender(raw: bytes) -> str | None:
    try:
        sender = json.loads(raw)["body"]["sender"]
    except (ValueError, TypeError, KeyError):
        return None
    return sender if isinstance(sender, str) else None


def upgrade() -> None:
    op.add_column("txs", sa.Column("sender", sa.String, nullable=True))
    conn = op.get_bind()
    rows = conn.exec_driver_sql("SELECT height, idx, raw FROM txs").fetchall()
    if rows:
        conn.exec_driver_sql("UPDATE txs SET sender = ? WHERE height = ? AND idx = ?",
                             [(_sender(raw), h, i) for h, i, raw in rows])
    op.create_index("ix_txs_sender", "txs", ["sender", "height", "idx"])


def downgrade() -> None:
    op.drop_index("ix_txs_sender", "txs")
    with op.batch_alter_table("txs") as batch:
        batch.drop_column("sender")
