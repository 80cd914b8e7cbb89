"""The state tree's nodes, stored beside the records (see core/state/tree.py).

A database made before this revision holds its records under the old bucket-tree app hash
and no tree; its state format (meta `state_format`) is unset, and opening it refuses with
the command that rebuilds it (`planet migrate`), since its app hashes change.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # WITHOUT ROWID: the path is the key, and the row is stored in the key's b-tree.
    op.execute("CREATE TABLE state_nodes (path BLOB PRIMARY KEY, node BLOB NOT NULL) "
               "WITHOUT ROWID")


def downgrade() -> None:
    op.execute("DROP TABLE state_nodes")
