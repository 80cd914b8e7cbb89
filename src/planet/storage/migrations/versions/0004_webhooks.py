"""Webhooks: once created the webhook tables here; now nothing.

The tables moved to the webhook store's own file, HOME/data/webhooks.db, with migrations of
their own (planet/webhooks/migrations): the queue's writes must not take this database's
write lock from a block commit. A database made before the move has them, and 0005 drops
them; a new one never makes them.

Revision ID: 0004
Revises: 0003
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
