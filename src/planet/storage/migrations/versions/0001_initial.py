"""Initial node database: meta, blocks, txs, state.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.String, primary_key=True),
                    sa.Column("value", sa.LargeBinary, nullable=False))
    op.create_table(
        "blocks",
        sa.Column("height", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("prev_hash", sa.LargeBinary, nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("app_hash", sa.LargeBinary, nullable=False),
        sa.Column("tx_root", sa.LargeBinary, nullable=False),
        sa.Column("tx_count", sa.Integer, nullable=False),
        sa.Column("proposer", sa.String, nullable=False),
    )
    op.create_table(
        "txs",
        sa.Column("height", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("code", sa.Integer, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_txs_hash", "txs", ["hash"])
    op.create_table("state", sa.Column("key", sa.String, primary_key=True),
                    sa.Column("value", sa.LargeBinary, nullable=False))


def downgrade() -> None:
    for name in ("state", "txs", "blocks", "meta"):
        op.drop_table(name)
