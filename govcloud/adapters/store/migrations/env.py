"""Alembic environment: govcloud always hands over an open connection."""

from __future__ import annotations

from alembic import context

from govcloud.adapters.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
context.run_migrations()
