"""Figures over the activity log for a range of days, each aggregated in the database.

Definitions (a *session* is one customer's continuing conversation; days are
``DASHBOARD_TIMEZONE`` calendar days, ``first`` to ``last`` inclusive):

* active on a channel: the session joined on it (a new token: start, login, OTP, QR code,
  a WhatsApp or Telegram chat linking), came back on it (a device used its token on a later
  day than it last had: a page reopened with the token it kept), or sent a message the agent
  answered, put something in the cart or placed an order there, that day;
* a channel switch: in the session's activity in time order, a record on another channel
  than the record before it (counted on the day of the later record; the earlier one may be
  older than the period);
* the funnel: sessions that chatted in the period, those of them that also put something in
  the cart, and those of them that also ordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from threadline.activity.models import CART, CHAT, ORDER, SessionActivity

A = SessionActivity


def _in(first: date, last: date) -> ColumnElement[bool]:
    return and_(A.day >= first, A.day <= last)


def _count_of(kind: str) -> Any:
    return func.coalesce(func.sum(case((A.kind == kind, 1), else_=0)), 0)


@dataclass(frozen=True, slots=True)
class ChannelActivity:
    channel: str
    sessions: int
    customers: int
    messages: int
    cart_adds: int


async def by_channel(db: AsyncSession, first: date, last: date) -> list[ChannelActivity]:
    rows = await db.execute(
        select(
            A.channel,
            func.count(distinct(A.session_id)),
            func.count(distinct(A.customer_id)),
            _count_of(CHAT),
            _count_of(CART),
        )
        .where(_in(first, last))
        .group_by(A.channel)
    )
    return [ChannelActivity(c, int(s), int(p), int(m), int(a)) for c, s, p, m, a in rows]


async def totals(db: AsyncSession, first: date, last: date) -> tuple[int, int]:
    """Sessions and customers active on any channel (each counted once)."""
    row = (
        await db.execute(
            select(func.count(distinct(A.session_id)), func.count(distinct(A.customer_id))).where(
                _in(first, last)
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def daily(db: AsyncSession, first: date, last: date) -> list[tuple[date, str, int]]:
    """(day, channel, sessions active on it that day)."""
    rows = await db.execute(
        select(A.day, A.channel, func.count(distinct(A.session_id)))
        .where(_in(first, last))
        .group_by(A.day, A.channel)
    )
    return [(day, channel, int(n)) for day, channel, n in rows]


async def switches(db: AsyncSession, first: date, last: date) -> list[tuple[str, str, int, int]]:
    """(from, to, switches, sessions that made it), most frequent first."""
    # The step before each of the period's records: the window over the period's records
    # gives it, except for a session's first record in the period, whose step before is older;
    # for those alone (COALESCE evaluates it only then), one probe of
    # ix_session_activity_session.  So the cost follows the period's records and sessions,
    # never the whole table (which a window over each session's full history read).
    before = aliased(A)
    older = (
        select(before.channel)
        .where(
            before.session_id == A.session_id,
            before.at <= A.at,
            or_(before.at < A.at, before.id < A.id),
        )
        .order_by(before.at.desc(), before.id.desc())
        .limit(1)
        .correlate(A)
        .scalar_subquery()
    )
    in_period = func.lag(A.channel).over(partition_by=A.session_id, order_by=(A.at, A.id))
    # The window keeps the store from inlining this subquery, so "prev" is computed once.
    steps = (
        select(A.session_id, A.channel, func.coalesce(in_period, older).label("prev"))
        .where(_in(first, last))
        .subquery()
    )
    count = func.count().label("n")
    rows = await db.execute(
        select(steps.c.prev, steps.c.channel, count, func.count(distinct(steps.c.session_id)))
        .where(steps.c.prev.is_not(None), steps.c.prev != steps.c.channel)
        .group_by(steps.c.prev, steps.c.channel)
        .order_by(count.desc(), steps.c.prev, steps.c.channel)
    )
    return [(prev, channel, int(n), int(s)) for prev, channel, n, s in rows]


@dataclass(frozen=True, slots=True)
class Funnel:
    active: int
    chatted: int
    carted: int
    ordered: int


async def funnel(db: AsyncSession, first: date, last: date) -> Funnel:
    def did(kind: str) -> Any:
        return func.max(case((A.kind == kind, 1), else_=0))

    flags = (
        select(did(CHAT).label("chat"), did(CART).label("cart"), did(ORDER).label("orders"))
        .where(_in(first, last))
        .group_by(A.session_id)
        .subquery()
    )
    chatted = flags.c.chat == 1
    row = (
        await db.execute(
            select(
                func.count(),
                func.coalesce(func.sum(flags.c.chat), 0),
                func.coalesce(func.sum(case((and_(chatted, flags.c.cart == 1), 1), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case((and_(chatted, flags.c.cart == 1, flags.c.orders == 1), 1), else_=0)
                    ),
                    0,
                ),
            )
        )
    ).one()
    return Funnel(*(int(v) for v in row))
