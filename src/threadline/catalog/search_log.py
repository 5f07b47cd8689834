"""Searches that found nothing: what shoppers asked for that the shop could not show.

Recorded per (day, request, channel) with a count, in ``search_misses``:

* ``GET /products`` notes a miss (no product matched every word and filter of a first page)
  in a per-process buffer, :class:`MissLog`: the search path pays a dictionary update and
  never a write.  A background task writes the buffer every couple of seconds, in one
  transaction whatever the number of searches; at most ``MAX_PENDING`` different requests
  wait at once (more in a burst are dropped and logged), so a flood of nonsense queries costs
  memory and writes that stay bounded.
* The catalog is public, so what may reach the staff's list is limited twice: only searches
  sent with a valid session token (a guest's or a customer's) are noted, and each process
  notes at most ``MAX_NEW_PER_DAY`` different requests a day (a calendar day in
  ``DASHBOARD_TIMEZONE``).  A request already noted that day keeps counting; a new one past
  the limit is dropped and logged.  Rows are kept ``DASHBOARD_RETENTION_DAYS``, so without
  the limit a script minting guest tokens could add rows (and text on the staff's screen)
  without end.
* The sales agent records its misses in the turn's own transaction (:func:`record`): a turn
  is a write already, and its misses are few.

Both add counts with one upsert (:func:`_upsert`, a branch per dialect), so any number of
processes may write the same row.  The request is normalised (:func:`describe`): its words
case-folded with punctuation dropped, then its filters, as in "swimwear · women · size xl".
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline.catalog.models import SearchMiss
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.localdays import local_date
from threadline.db import log_failure, session_scope

log = structlog.get_logger()

MAX_LABEL = 120
MAX_PENDING = 1000
MAX_NEW_PER_DAY = 300
FLUSH_SECONDS = 2.0
_NOT_WORD = re.compile(r"[^\w\s'&+-]+")
Key = tuple[date, str, str]


def _words(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _rupees(value: Any) -> str:
    amount = float(value)
    return f"₹{amount:,.0f}" if amount.is_integer() else f"₹{amount:,.2f}"


def describe(fields: Mapping[str, Any]) -> str | None:
    """The normalised request: words (``q`` or the agent's ``query``), then filters."""
    parts = [_words(fields.get("q") or fields.get("query") or "")]
    parts += [_words(fields.get(k) or "") for k in ("category", "gender", "color", "brand")]
    parts.append(_words(fields.get("occasion") or ""))
    if fields.get("size"):
        parts.append(f"size {_words(fields['size'])}")
    low, high = fields.get("min_price"), fields.get("max_price")
    if low is not None and high is not None:
        parts.append(f"{_rupees(low)}–{_rupees(high)}")
    elif high is not None:
        parts.append(f"under {_rupees(high)}")
    elif low is not None:
        parts.append(f"over {_rupees(low)}")
    label = " · ".join(p for p in parts if p)
    return label[:MAX_LABEL].rstrip(" ·") or None


async def record(
    db: AsyncSession, settings: Settings, label: str | None, channel: str | None
) -> None:
    """Count one miss now, in the caller's transaction."""
    if not label:
        return
    now = clock.now()
    key = (local_date(now, settings.dashboard_timezone), label, channel or "")
    await _upsert(db, {key: (1, now)})


async def _upsert(db: AsyncSession, rows: Mapping[Key, tuple[int, datetime]]) -> None:
    """Add ``rows``' counts to theirs in the table: one ``INSERT … ON CONFLICT DO UPDATE``."""
    values = [
        {"day": day, "query": query, "channel": channel, "count": count, "last_at": last}
        for (day, query, channel), (count, last) in rows.items()
    ]
    stmt: Any
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(SearchMiss)
        latest = func.greatest(SearchMiss.last_at, stmt.excluded.last_at)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(SearchMiss)
        # SQLite's two-argument max() is its scalar greatest; timestamps compare as the text
        # they are stored as (one fixed format, see db.UTCDateTime).
        latest = func.max(SearchMiss.last_at, stmt.excluded.last_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "query", "channel"],
        set_={"count": SearchMiss.count + stmt.excluded.count, "last_at": latest},
    )
    # Sorted: two processes writing the same rows take their locks in the same order.
    await db.execute(stmt, sorted(values, key=lambda v: (v["day"], v["query"], v["channel"])))


class MissLog:
    """This process's misses not yet written; see the module docstring."""

    def __init__(
        self,
        zone_name: str,
        *,
        max_pending: int = MAX_PENDING,
        max_new_per_day: int = MAX_NEW_PER_DAY,
    ) -> None:
        self.zone_name = zone_name
        self.max_pending = max_pending
        self.max_new_per_day = max_new_per_day
        self._pending: dict[Key, tuple[int, datetime]] = {}
        self._day: date | None = None
        self._noted_today: set[str] = set()  # at most max_new_per_day labels
        self.dropped = 0

    def note(self, label: str | None, channel: str | None) -> None:
        if not label:
            return
        now = clock.now()
        day = local_date(now, self.zone_name)
        if day != self._day:
            self._day, self._noted_today = day, set()
        if label not in self._noted_today:
            if len(self._noted_today) >= self.max_new_per_day:
                self.dropped += 1
                return
            self._noted_today.add(label)
        key = (day, label, channel or "")
        seen = self._pending.get(key)
        if seen is not None:
            self._pending[key] = (seen[0] + 1, now)
        elif len(self._pending) < self.max_pending:
            self._pending[key] = (1, now)
        else:
            self.dropped += 1

    async def flush(self, maker: async_sessionmaker[AsyncSession]) -> int:
        """Write what is pending (one transaction); returns how many rows were written."""
        if self.dropped:
            log.warning("catalog.search_misses.dropped", count=self.dropped)
            self.dropped = 0
        if not self._pending:
            return 0
        # Taken before any await: misses noted meanwhile wait for the next flush.
        batch, self._pending = self._pending, {}
        try:
            async with session_scope(maker) as db:
                await _upsert(db, batch)
        except Exception as exc:  # the store is away: keep the counts for the next try, bounded
            log_failure(log, "catalog.search_misses.flush_failed", exc, rows=len(batch))
            self._put_back(batch)
            return 0
        except BaseException:
            # Cancelled mid-write (shutdown cancels keep_flushing): the counts go back for the
            # flush its ``finally`` makes.  Only a cancel landing after the store committed
            # but before it answered would count them twice, which beats losing them.
            self._put_back(batch)
            raise
        return len(batch)

    def _put_back(self, batch: Mapping[Key, tuple[int, datetime]]) -> None:
        """Return an unwritten batch to the buffer (still at most ``max_pending`` rows)."""
        for key, (count, last) in batch.items():
            seen = self._pending.get(key)
            if seen is not None:
                self._pending[key] = (seen[0] + count, max(seen[1], last))
            elif len(self._pending) < self.max_pending:
                self._pending[key] = (count, last)

    async def keep_flushing(
        self, maker: async_sessionmaker[AsyncSession], interval: float = FLUSH_SECONDS
    ) -> None:
        """Flush every ``interval`` seconds until cancelled, then once more."""
        try:
            while True:
                await asyncio.sleep(interval)
                await self.flush(maker)
        finally:
            await self.flush(maker)


@dataclass(frozen=True, slots=True)
class Miss:
    query: str
    count: int
    last_day: date
    channels: dict[str, int]


async def top_misses(db: AsyncSession, first: date, last: date, *, limit: int = 20) -> list[Miss]:
    """The requests that found nothing most often from day ``first`` to ``last``."""
    period = SearchMiss.day.between(first, last)
    total = func.sum(SearchMiss.count).label("total")
    top = (
        await db.execute(
            select(SearchMiss.query, total, func.max(SearchMiss.day))
            .where(period)
            .group_by(SearchMiss.query)
            .order_by(total.desc(), SearchMiss.query)
            .limit(limit)
        )
    ).all()
    if not top:
        return []
    per_channel: dict[str, dict[str, int]] = {}
    rows = await db.execute(
        select(SearchMiss.query, SearchMiss.channel, func.sum(SearchMiss.count))
        .where(period, SearchMiss.query.in_([row[0] for row in top]))
        .group_by(SearchMiss.query, SearchMiss.channel)
    )
    for query, channel, count in rows:
        per_channel.setdefault(query, {})[channel or "unknown"] = int(count)
    return [Miss(q, int(n), day, per_channel.get(q, {})) for q, n, day in top]


async def purge_old(db: AsyncSession, settings: Settings) -> int:
    """Delete the days older than ``DASHBOARD_RETENTION_DAYS``."""
    cutoff = local_date(clock.now(), settings.dashboard_timezone) - timedelta(
        days=settings.dashboard_retention_days
    )
    result = await db.execute(delete(SearchMiss).where(SearchMiss.day < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
