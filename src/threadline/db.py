"""The store: engine and sessions from a plain ``DATABASE_URL``, portable column types and the
few dialect-specific statements, each with one branch per dialect.

SQLite (embedded, the default) runs in WAL mode with foreign keys on.  Every SQLite transaction
starts with ``BEGIN IMMEDIATE`` so a transaction that reads and then writes can never fail to
upgrade its lock half-way; inside one process the pool has a single connection, so requests
queue on an asyncio pool wait rather than on SQLite's sleeping busy handler.
PostgreSQL runs through asyncpg; read-modify-write paths lock their row with ``FOR UPDATE``.
Its pool checks a connection before handing it out (``pool_pre_ping``), so after a restart of
the server the stale connections are replaced without restarting Threadline.

:func:`store_failure` tells a store that is away, full or read-only (503s, retried background
work) from a bug (a constraint, a syntax error: 500s).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Literal
from weakref import WeakKeyDictionary

from fastapi import Depends, Request
from sqlalchemy import DateTime, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import Insert
from sqlalchemy.types import TypeDecorator

from threadline.config import Settings


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both stores (SQLite keeps naive text, so we re-attach UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite compares timestamps as text: store one fixed, offset-free format.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def async_url(url: str) -> str:
    """Map a plain URL (``sqlite:///…``, ``postgresql://…``) to its async driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        query = dict(parsed.query)
        # libpq spells it sslmode (Supabase's connection strings do); asyncpg calls it ssl.
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        for name in PG_CONNECT_OPTIONS:  # given to the driver apart (see create_engine)
            query.pop(name, None)
        return parsed.set(drivername="postgresql+asyncpg", query=query).render_as_string(
            hide_password=False
        )
    raise ValueError(
        f"unsupported DATABASE_URL scheme {parsed.drivername!r}: use sqlite or postgresql"
    )


# libpq's options that asyncpg spells otherwise, as found in the URLs that hosts hand out.
PG_CONNECT_OPTIONS = ("connect_timeout", "application_name")


def _pg_connect_args(url: str, settings: Settings) -> dict[str, Any]:
    query = make_url(url).query
    # asyncpg waits 60 s for an unreachable host by default; a request should not.
    args: dict[str, Any] = {
        "timeout": float(str(query.get("connect_timeout", settings.db_connect_timeout_seconds)))
    }
    if "application_name" in query:
        args["server_settings"] = {"application_name": str(query["application_name"])}
    return args


def create_engine(settings: Settings) -> AsyncEngine:
    url = async_url(settings.resolved_database_url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, settings)
    return create_async_engine(
        url,
        echo=settings.db_echo,
        hide_parameters=True,  # statement parameters hold phones and hashes: keep them out of logs
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=1800,
        # A connection is tested before use: after PostgreSQL restarts, the dead ones in the
        # pool are replaced instead of failing one request each.
        pool_pre_ping=True,
        connect_args=_pg_connect_args(settings.resolved_database_url, settings),
    )


def create_read_engine(settings: Settings, engine: AsyncEngine) -> AsyncEngine:
    """The engine for read-only units of work.

    On SQLite, WAL lets readers run beside the writer, so reads get their own small pool of
    query-only connections that never take the write lock.  On PostgreSQL it is ``engine``.
    """
    if engine.dialect.name != "sqlite":
        return engine
    readers = create_async_engine(
        engine.url,
        echo=settings.db_echo,
        hide_parameters=True,
        pool_size=settings.sqlite_readers,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
    )

    @event.listens_for(readers.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={settings.sqlite_busy_timeout_ms}")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return readers


def _sqlite_engine(url: str, settings: Settings) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=settings.db_echo,
        hide_parameters=True,
        pool_size=1,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy so the "begin" hook below decides how to BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={settings.sqlite_synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={settings.sqlite_busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


StoreFailure = Literal["unavailable", "full", "read_only"]

# SQLite result codes (the low byte of sqlite3.Error.sqlite_errorcode).
_SQLITE_FAILURES: dict[int, StoreFailure] = {
    5: "unavailable",  # SQLITE_BUSY: another process held the lock past busy_timeout
    6: "unavailable",  # SQLITE_LOCKED
    8: "read_only",  # SQLITE_READONLY: "attempt to write a readonly database"
    10: "unavailable",  # SQLITE_IOERR: "disk I/O error"
    13: "full",  # SQLITE_FULL: "database or disk is full"
    14: "unavailable",  # SQLITE_CANTOPEN: "unable to open database file"
}
# Where an OSError comes from the store's client rather than from our own code.
_STORE_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "sqlite3")


def store_failure(exc: BaseException) -> StoreFailure | None:
    """Whether ``exc`` means the store is away (or busy), full or read-only — a condition that
    passes, to answer with 503 and retry — rather than a bug.  None for anything else: an
    integrity or syntax error, a bad statement, our own code failing."""
    for error in _causes(exc):
        kind = _failure_kind(error)
        if kind is not None:
            return kind
    return None


# When each store (engine) last refused a write because it was full or read-only.
_refused_at: WeakKeyDictionary[object, float] = WeakKeyDictionary()
# After the store refused a write, for this long writes that can wait (a session's sliding
# expiry, a cart's repricing) are not attempted, so reads go on working.
REFUSAL_MEMORY_SECONDS = 30.0


def writes_refused_recently(db: AsyncSession) -> bool:
    """Whether a unit of work on ``db``'s store failed lately on a full or read-only store."""
    refused = _refused_at.get(db.get_bind(), float("-inf"))
    return time.monotonic() - refused < REFUSAL_MEMORY_SECONDS


def note_refusal(db: AsyncSession, exc: BaseException) -> bool:
    """Whether ``exc`` is the store refusing a write (full or read-only); if so it is
    remembered, as a failed unit of work would be, so writes that can wait are skipped."""
    if store_failure(exc) not in ("full", "read_only"):
        return False
    _refused_at[db.get_bind()] = time.monotonic()
    return True


def log_failure(logger: Any, event: str, exc: BaseException, **fields: Any) -> None:
    """Log a failed background step: a bug with its traceback; the store away, full or
    read-only (it passes, and would repeat a traceback every few seconds) in one line."""
    kind = store_failure(exc)
    if kind is None:
        logger.error(event, exc_info=exc, **fields)
    else:
        logger.warning(event, store=kind, error=type(exc).__name__, **fields)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen or len(seen) > 20:
            continue
        seen.add(id(error))
        yield error
        todo += [error.__context__, error.__cause__, getattr(error, "orig", None)]


def _failure_kind(error: BaseException) -> StoreFailure | None:
    if isinstance(error, sa_exc.TimeoutError):
        return "unavailable"  # no pooled connection came free within DB_POOL_TIMEOUT
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return "unavailable"
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return _SQLITE_FAILURES.get(code & 0xFF) if isinstance(code, int) else None
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and len(sqlstate) == 5:
        return _postgres_failure(sqlstate)
    if type(error).__name__ == "ConnectionDoesNotExistError" or (
        type(error).__name__ == "InterfaceError" and "connection is closed" in str(error)
    ):
        return "unavailable"
    if isinstance(error, OSError) and _raised_in_store(error.__traceback__):
        return "unavailable"  # refused, reset, timed out, no route: while reaching the store
    return None


def _postgres_failure(sqlstate: str) -> StoreFailure | None:
    if sqlstate == "53100":
        return "full"  # disk_full
    if sqlstate == "25006":
        return "read_only"  # read_only_sql_transaction: a standby, or default_transaction_read_only
    if sqlstate[:2] in ("08", "53") or sqlstate in ("57P01", "57P02", "57P03"):
        # connection exceptions, insufficient resources (too many connections, out of memory),
        # admin / crash shutdown, "the database system is starting up"
        return "unavailable"
    return None


def _raised_in_store(tb: TracebackType | None) -> bool:
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_STORE_MODULES):
            return True
        tb = tb.tb_next
    return False


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass(frozen=True, slots=True)
class Stores:
    """Units of work that write, and read-only ones (beside the writer on SQLite)."""

    write: async_sessionmaker[AsyncSession]
    read: async_sessionmaker[AsyncSession]


def get_stores(request: Request) -> Stores:
    return Stores(request.app.state.sessionmaker, request.app.state.read_sessionmaker)


@asynccontextmanager
async def session_scope(
    maker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """The same unit of work for the CLI and background jobs."""
    async with maker() as db:
        try:
            yield db
            await db.commit()
        except BaseException as exc:
            await db.rollback()
            note_refusal(db, exc)
            raise
        for callback in db.info.pop("after_commit", ()):
            callback()


async def commit_now(db: AsyncSession, *, effect: bool = True) -> None:
    """Commit mid-request (a result that must stand whatever happens next) and run the
    after-commit callbacks registered so far, as the end of the unit of work would.

    ``effect=False`` for a commit that only ends the unit of work (bookkeeping such as the
    sliding expiry) and leaves the request safe to repeat."""
    if effect:
        _note_request_commit()
    await db.commit()
    for callback in db.info.pop("after_commit", ()):
        callback()


async def rollback_now(db: AsyncSession) -> None:
    """Roll back mid-request; what was to follow the undone writes' commit is dropped too."""
    await db.rollback()
    db.info.pop("after_commit", None)


def on_commit(db: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the unit of work that ``db`` belongs to has committed."""
    db.info.setdefault("after_commit", []).append(callback)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: committed when the handler returns, rolled back on error.

    Used with ``scope="function"`` so the commit happens before the response is sent: a 200
    is only ever sent for a write that is already durable.
    """
    async with session_scope(request.app.state.sessionmaker) as db:
        yield db
        _note_request_commit()  # the handler returned: its unit of work commits now


# Whether the request being served has begun committing its unit of work: a request cut off
# when the server stops (core.middleware) is told to retry only if it had not.  A list, so
# that tasks the request starts (they copy the context) note it where the request sees it.
_request_commits: ContextVar[list[None] | None] = ContextVar("request_commits", default=None)


def track_request_commits() -> list[None]:
    """From now on in this context, note every commit :func:`get_db` and :func:`commit_now`
    begin; returns the (growing) list they note them in."""
    commits: list[None] = []
    _request_commits.set(commits)
    return commits


def _note_request_commit() -> None:
    commits = _request_commits.get()
    if commits is not None:
        commits.append(None)


DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]


def dialect_insert(db: AsyncSession, table: Any) -> Any:
    """An ``INSERT`` that knows ``ON CONFLICT`` on the session's dialect (both spell it alike)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def insert_ignoring_conflicts(
    db: AsyncSession, table: Any, index_elements: list[str], index_where: Any = None
) -> Insert:
    """``INSERT … ON CONFLICT (cols) [WHERE …] DO NOTHING``; ``index_where`` names a partial index."""
    stmt: Insert = dialect_insert(db, table).on_conflict_do_nothing(
        index_elements=index_elements, index_where=index_where
    )
    return stmt


_PG_SETUP_LOCK = 724_011_302


async def hold_setup_lock(db: AsyncSession) -> None:
    """Serialise one-time setup (demo data) between processes starting together.

    PostgreSQL: a transaction-scoped advisory lock; SQLite: ``BEGIN IMMEDIATE`` already holds
    the single writer lock for the whole transaction.
    """
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text(f"SELECT pg_advisory_xact_lock({_PG_SETUP_LOCK})"))
