"""Alembic environment: runs on the connection handed over by ``threadline.migrations.migrate``."""

from __future__ import annotations

from alembic import context

from threadline.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `threadline migrate` (it supplies the connection)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
