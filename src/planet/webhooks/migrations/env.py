"""Alembic environment of the webhook store's own database (HOME/data/webhooks.db): runs on
the connection the store passes in (no ini file), like the node database's."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
