"""Webhooks: businesses' endpoints, the delivery queue and log, and how far the node read.

In the webhook store's own file (HOME/data/webhooks.db), not the node's database: the queue
is written on every block that brings an event and on every batch of attempts, and none of
that may take the chain database's write lock from a block commit. Node-side data, not
state: each API node keeps its own (planet.webhooks). The endpoint's secret is kept to sign
deliveries; it is returned once, at creation, and never logged. `request_sig` is the
signature of the request that created an endpoint, unique, so a captured creation request
cannot be replayed for a second secret. (The same tables lived in node.db from its migration
0004 until its 0005 dropped them.)

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
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("business", sa.String, nullable=False),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("events", sa.Text, nullable=False),  # JSON list of event types
        sa.Column("secret", sa.String, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),  # wall clock, ms
        sa.Column("from_height", sa.BigInteger, nullable=False),  # events after this block
        sa.Column("request_sig", sa.LargeBinary, nullable=False, unique=True),
    )
    op.create_index("ix_webhook_endpoints_business", "webhook_endpoints", ["business"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("endpoint", sa.String, nullable=False),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("height", sa.BigInteger, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String, nullable=False),  # pending, delivered, failed
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.BigInteger, nullable=False),  # wall clock, ms
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("response_code", sa.Integer, nullable=True),
        sa.Column("response_body", sa.Text, nullable=True),  # a 2xx answer's first bytes only
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("delivered_at", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("endpoint", "event_id", name="uq_webhook_delivery_event"),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_at"])
    op.create_index("ix_webhook_deliveries_endpoint", "webhook_deliveries", ["endpoint", "id"])
    op.create_table(
        "webhook_cursor",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
        sa.Column("height", sa.BigInteger, nullable=False),  # last block read for events
    )


def downgrade() -> None:
    for name in ("webhook_cursor", "webhook_deliveries", "webhook_endpoints"):
        op.drop_table(name)
