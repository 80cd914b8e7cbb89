"""Drop the webhook tables a node database made before 0004 became a no-op still holds.

They moved to HOME/data/webhooks.db (planet.webhooks.store), so that the queue's writes never
wait on or delay a block commit. What they held is node-side data, not state, and is not
carried over: after the upgrade a business registers its endpoints on this node again (and
gets new secrets), and events of blocks committed before the first start after the upgrade
are not delivered (the new store begins at the current block, like any first start).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("webhook_cursor", "webhook_deliveries", "webhook_endpoints"):
        op.execute(f"DROP TABLE IF EXISTS {name}")


def downgrade() -> None:
    pass  # the tables live in webhooks.db now; 0004 makes none
