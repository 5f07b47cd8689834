"""Before the server starts: can it write to its store?  One clear sentence when it cannot.

``threadline serve`` and ``threadline migrate`` run :func:`check_store` first, so a read-only
SQLite file, a read-only data folder, a full disk or an unreachable PostgreSQL is one line
saying what is wrong and what to do, and exit status 1 — not a traceback, and not a server
that starts and dies over and over.  The checks *do* what the server will do (create a file
beside the database, write to it, open the database for writing) rather than ask
``os.access``, which says yes to root whatever the permissions, and knows nothing of full disks
or read-only mounts.

When the store fails in the app's start-up anyway (the disk filled up in between),
:class:`StartupFailures` makes uvicorn print the same kind of sentence instead of the
traceback, and uvicorn exits (status 3) rather than serving without a store.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import asyncpg
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from threadline.config import Settings
from threadline.db import create_engine, store_failure

log = structlog.get_logger()

# What the probe writes beside the database: the room SQLite needs to get going (a WAL file,
# its index, a checkpoint) is of this order.
PROBE_BYTES = 1 << 20
_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}
_CHANGE = "or set DATA_DIR / DATABASE_URL to a writable place"


class StoreNotUsable(Exception):
    """The store cannot be used; the message says what is wrong and what to do."""


def check_store(settings: Settings) -> None:
    """Raise :class:`StoreNotUsable` if the server could not write to its store."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and "mode=ro" not in str(url):
            check_sqlite(Path(url.database))
        return
    asyncio.run(check_postgres(settings))


def check_sqlite(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreNotUsable(
            f"the data folder {folder} cannot be created ({exc.strerror}): create it and "
            f"make it writable by {_user()}, {_CHANGE}"
        ) from None
    probe_folder(folder)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            _check_writable(name)
    if path.exists():
        _check_database(path)


def probe_folder(folder: Path) -> None:
    """Create, fill and remove a file beside the database, as SQLite will (-wal, -shm)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".threadline-probe-", dir=folder)
    except OSError as exc:
        if exc.errno in _FULL:
            raise StoreNotUsable(_full(folder)) from None
        raise StoreNotUsable(
            f"the data folder {folder} is read-only for {_user()} ({exc.strerror}); SQLite "
            f"writes its journal files beside the database: make the folder writable, {_CHANGE}"
        ) from None
    failed: OSError | None = None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(b"\0" * PROBE_BYTES)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        failed = exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)
    # Described once the probe is gone, so the free space reported is the disk's own.
    if failed is None:
        return
    if failed.errno == errno.EFBIG:
        raise StoreNotUsable(
            f"this process may not write files of {PROBE_BYTES} bytes in {folder} "
            "(a file size limit, ulimit -f): raise the limit"
        )
    if failed.errno in _FULL:
        raise StoreNotUsable(_full(folder))
    raise StoreNotUsable(f"cannot write in the data folder {folder}: {failed.strerror}")


def _check_writable(file: Path) -> None:
    try:
        with file.open("r+b"):
            pass
    except OSError as exc:
        if exc.errno not in _READ_ONLY:
            raise StoreNotUsable(f"cannot open the SQLite file {file}: {exc.strerror}") from None
        raise StoreNotUsable(
            f"the SQLite file {file} is read-only for {_user()} ({exc.strerror}): make it "
            f"writable by this user, {_CHANGE}"
        ) from None


def _check_database(path: Path) -> None:
    """Open it as SQLite will and take the write lock for a moment."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        conn.execute("PRAGMA schema_version")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        message = describe(exc, path=path) or f"cannot open the SQLite file {path}: {exc}"
        raise StoreNotUsable(message) from None
    finally:
        conn.close()


async def check_postgres(settings: Settings) -> None:
    url = make_url(settings.resolved_database_url)
    where = f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    # Connect as the app does (its engine maps the URL's options for the driver).
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            standby = (await conn.execute(text("SELECT pg_is_in_recovery()"))).scalar()
    except (OSError, SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        error = getattr(exc, "orig", None) or exc
        error = getattr(error, "__cause__", None) or error  # the driver's own, unwrapped
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise StoreNotUsable(
            f"{where} cannot be reached ({reason}): start it, or check DATABASE_URL"
        ) from None
    finally:
        await engine.dispose()
    if standby:
        raise StoreNotUsable(f"{where} is a read-only standby: point DATABASE_URL at the primary")


def describe(exc: BaseException, *, path: Path | None = None) -> str | None:
    """One sentence for a store failure met while starting, or None if ``exc`` is not one."""
    kind = store_failure(exc)
    if kind is None:
        return None
    where = f"the SQLite file {path}" if path is not None else "the store"
    if path is not None and kind == "unavailable" and _nearly_full(path.parent):
        kind = "full"  # SQLite says "disk I/O error" for some writes that found no room
    if kind == "full":
        return _full(path.parent if path is not None else None)
    if kind == "read_only":
        return f"{where} is read-only for {_user()}: make it writable by this user, {_CHANGE}"
    detail = str(getattr(exc, "orig", None) or exc).splitlines()
    reason = detail[0] if detail and detail[0] else type(exc).__name__
    return f"{where} cannot be used ({reason}): check that it is reachable and writable"


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < PROBE_BYTES
    except OSError:
        return False


def _full(folder: Path | None) -> str:
    if folder is None:
        return "the store's disk is full: free some space"
    free = shutil.disk_usage(folder).free
    return (
        f"the disk holding {folder} is full ({free // 1024} KiB free): free some space, "
        "or set DATA_DIR / DATABASE_URL to another disk"
    )


def _user() -> str:
    uid = os.geteuid()
    try:
        import pwd

        return f"this user ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"this user (uid {uid})"


class StartupFailures:
    """ASGI middleware: a start-up that fails because of the store reports it in one sentence.

    Starlette reports a failed lifespan to the server with the traceback as the message, from
    inside its ``except`` block — where ``sys.exc_info()`` is that failure.
    """

    def __init__(self, app: ASGIApp, *, database_url: str) -> None:
        self.app = app
        url = make_url(database_url)
        sqlite = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        self.path = Path(url.database) if sqlite and url.database else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_plainly(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failure = sys.exc_info()[1]
                sentence = describe(failure, path=self.path) if failure is not None else None
                if sentence is not None:
                    # Said once, in the app's log format; uvicorn adds only that it exits.
                    log.error("app.start_failed", reason=sentence)
                    message = {**message, "message": ""}
            await send(message)

        await self.app(scope, receive, send_plainly)
