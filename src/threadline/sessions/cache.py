"""A per-process cache of authenticated tokens, so reading a session is not a database query.

Correctness rules, in order of importance:

1. Every write to a session or its tokens calls ``service.mark_changed`` in its transaction.
   After that transaction commits, this process drops the session's entries; on PostgreSQL the
   transaction also sends ``NOTIFY threadline_sessions, '<session_id>'``, delivered at commit to
   every other Threadline process, which drop theirs (``listen``).
2. An entry is only stored if its session was not invalidated while it was being read from the
   store, so a read that raced with a write can never put the old state back.
3. If the PostgreSQL listener is down, caching is off (every read goes to the store) until it
   is back, and the cache is emptied when it returns — after ``LISTEN`` is in place, so a read
   that began before cannot store what a missed notification changed.
4. Entries also age out after ``SESSION_CACHE_SECONDS`` as a last line of defence (e.g. a staff
   CLI changing a customer's phone on SQLite from another process).

Writes never use cached state: they lock the row and read it fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger()

CHANNEL = "threadline_sessions"
LISTENER_NAME = "threadline-session-listener"


@dataclass(slots=True)
class Entry:
    value: Any
    session_id: uuid.UUID
    expires: float


class SessionCache:
    def __init__(self, *, ttl_seconds: float, max_entries: int = 100_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.enabled = ttl_seconds > 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._by_session: defaultdict[uuid.UUID, set[str]] = defaultdict(set)
        # Invalidations are numbered; a reader notes the number before it reads the store and
        # may only store what it read if its session was not invalidated after that.
        self._sequence = 0
        self._floor = 0
        self._invalidated_at: dict[uuid.UUID, int] = {}

    def get(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() > entry.expires:
            self._drop(key)
            return None
        return entry.value

    def snapshot(self) -> int:
        """Call before reading the store; pass the result to :meth:`put`."""
        return self._sequence

    def put(self, key: str, session_id: uuid.UUID, value: Any, *, snapshot: int) -> None:
        """Store ``value`` unless its session was invalidated since ``snapshot``."""
        if not self.enabled or snapshot < self._floor:
            return
        if self._invalidated_at.get(session_id, 0) > snapshot:
            return
        # Lifetimes are spread over [ttl/2, ttl] so entries loaded together do not all go back
        # to the store in the same instant.
        lifetime = self.ttl * (0.5 + random.random() / 2)
        self._entries[key] = Entry(value, session_id, time.monotonic() + lifetime)
        self._entries.move_to_end(key)
        self._by_session[session_id].add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def invalidate(self, session_id: uuid.UUID) -> None:
        self._sequence += 1
        self._invalidated_at[session_id] = self._sequence
        if len(self._invalidated_at) > self.max_entries:
            # Forget old stamps; reads that began before now may then not store anything.
            self._invalidated_at.clear()
            self._floor = self._sequence
        for key in self._by_session.pop(session_id, ()):
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._sequence += 1
        self._floor = self._sequence
        self._invalidated_at.clear()
        self._entries.clear()
        self._by_session.clear()

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            keys = self._by_session.get(entry.session_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_session[entry.session_id]


async def listen(
    engine: AsyncEngine,
    cache: SessionCache,
    *,
    retry_seconds: float = 2.0,
    ping_seconds: float = 10.0,
    connect_timeout: float = 5.0,
) -> None:
    """Keep a LISTEN connection to PostgreSQL and drop entries other processes changed.

    Runs until cancelled, through any number of outages: while it is not listening (not yet
    connected, PostgreSQL restarting, the connection silently dead) the cache is off, so no
    process serves an entry another may have invalidated meanwhile; it is emptied again once
    the listener is back.  A ping every ``ping_seconds`` notices a connection that died
    without being closed (a dropped network path).
    """
    if not cache.enabled or engine.dialect.name != "postgresql":
        return
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    # Named, so an operator (or a test) can find it in pg_stat_activity.
    server_settings = {**kwargs.get("server_settings", {}), "application_name": LISTENER_NAME}
    kwargs = {**kwargs, "timeout": connect_timeout, "server_settings": server_settings}
    while True:
        cache.enabled = False
        cache.clear()
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(*args, **kwargs)
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _c, lost=lost: lost.set())
            await conn.add_listener(CHANNEL, partial(_on_notify, cache))
            # Reads that began before LISTEN was in place may hold what a write missed by the
            # listener changed: clear() refuses what they would store.
            cache.clear()
            cache.enabled = True
            log.info("session.cache.listening")
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), ping_seconds)
                if not lost.is_set():
                    await conn.fetchval("SELECT 1", timeout=ping_seconds)
            log.warning("session.cache.listener_lost")
        except Exception as exc:  # whatever broke the connection, the loop must live on
            log.warning("session.cache.listener_failed", error=type(exc).__name__)
        finally:
            cache.enabled = False
            cache.clear()
            if conn is not None and not conn.is_closed():
                conn.terminate()
        await asyncio.sleep(retry_seconds)


def _on_notify(cache: SessionCache, _c: object, _pid: int, _channel: str, payload: str) -> None:
    with contextlib.suppress(ValueError):
        cache.invalidate(uuid.UUID(payload))
