"""Alembic migrations, shipped inside the package so an installed ``threadline`` can migrate."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent
# Any constant works; it only has to be the same in every Threadline process.
_PG_MIGRATION_LOCK = 724_011_301


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def _run(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config(connection)
    if action == "upgrade":
        command.upgrade(cfg, revision)
    else:
        command.downgrade(cfg, revision)


async def migrate(engine: AsyncEngine, *, action: str = "upgrade", revision: str = "head") -> None:
    """Upgrade (or downgrade) the schema on ``engine``; safe when several processes start at once.

    On PostgreSQL an advisory lock makes concurrent starts wait for one another; on SQLite the
    ``BEGIN IMMEDIATE`` that opens the migration transaction does the same.
    """
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
        await conn.run_sync(_run, action, revision)
