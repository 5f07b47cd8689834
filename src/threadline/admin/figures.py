"""Everything the dashboard shows for a period, computed in the store (see README, Dashboard).

Reporting reads several domains' records at once: activity (``activity.report``), searches
that found nothing (``catalog.search_log``), stock (``admin.stock``), and orders with their
customers' tiers here.  Each figure is one aggregate query; nothing loads rows to count them
in Python.  Money is summed in paise and shown in rupees.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.activity import report
from threadline.admin import stock
from threadline.admin.period import Period
from threadline.catalog import search_log
from threadline.catalog.service import rupees
from threadline.config import Settings
from threadline.core.localdays import day_bounds
from threadline.core.types import Channel
from threadline.customers.models import Customer
from threadline.orders.models import Order

CHANNELS = [c.value for c in Channel]
TIERS = ["bronze", "silver", "gold", "platinum"]
# An order counts at the value it was placed for, returned or not; a reservation that lapsed
# or an order that was cancelled never became a sale.
NOT_SALES = ("cancelled", "expired")


async def overview(db: AsyncSession, settings: Settings, period: Period) -> dict[str, Any]:
    first, last = period.first, period.last
    if db.get_bind().dialect.name == "postgresql":
        # The planner over-estimates the switch query's index look-ups, and JIT-compiling them
        # added 120-350 ms to a 7-30 day overview; these queries are short without it.
        await db.execute(text("SET LOCAL jit = off"))
    sessions, customers = await report.totals(db, first, last)
    channels = {c.channel: c for c in await report.by_channel(db, first, last)}
    by_channel = await _order_values(db, period, Order.channel)
    by_tier = await _order_values(db, period, Customer.loyalty_tier)
    orders = sum(v[0] for v in by_channel.values())
    revenue = sum(v[1] for v in by_channel.values())
    funnel = await report.funnel(db, first, last)
    return {
        "period": {
            "from": first,
            "to": last,
            "days": period.days,
            "today": period.today,
            "timezone": period.zone,
        },
        "totals": {
            "sessions": sessions,
            "customers": customers,
            "messages": sum(c.messages for c in channels.values()),
            "orders": orders,
            "revenue": rupees(revenue),
            "average_order_value": rupees(_average(revenue, orders)),
        },
        "channels": [_channel(name, channels.get(name)) for name in _names(CHANNELS, channels)],
        "daily": await _daily(db, period),
        "switches": [
            {"from": prev, "to": to, "switches": n, "sessions": s}
            for prev, to, n, s in await report.switches(db, first, last)
        ],
        "funnel": {
            "active": funnel.active,
            "chatted": funnel.chatted,
            "carted": funnel.carted,
            "ordered": funnel.ordered,
        },
        "order_value": {
            "by_channel": [_value("channel", n, by_channel) for n in _names(CHANNELS, by_channel)],
            "by_tier": [_value("tier", n, by_tier) for n in _names(TIERS, by_tier)],
        },
        "searches_without_results": [
            {"query": m.query, "count": m.count, "last_day": m.last_day, "channels": m.channels}
            for m in await search_log.top_misses(db, first, last)
        ],
        "stock_alerts": await stock.alerts(db, threshold=settings.stock_alert_threshold),
    }


def _names(known: list[str], found: Any) -> list[str]:
    """The known names in their order, then any others the store holds (sorted)."""
    return known + sorted(str(n) for n in found if n not in known)


def _average(total_paise: int, count: int) -> int:
    return (total_paise + count // 2) // count if count else 0


def _channel(name: str, found: report.ChannelActivity | None) -> dict[str, Any]:
    return {
        "channel": name,
        "sessions": found.sessions if found else 0,
        "customers": found.customers if found else 0,
        "messages": found.messages if found else 0,
        "cart_adds": found.cart_adds if found else 0,
    }


def _value(key: str, name: str, values: dict[str, tuple[int, int]]) -> dict[str, Any]:
    count, total = values.get(name, (0, 0))
    return {
        key: name,
        "orders": count,
        "revenue": rupees(total),
        "average": rupees(_average(total, count)),
    }


async def _order_values(db: AsyncSession, period: Period, key: Any) -> dict[str, tuple[int, int]]:
    """{key: (orders, paise)} of the orders placed in the period (their local days)."""
    start, end = day_bounds(period.first, period.last, period.zone)
    stmt = select(key, func.count(), func.coalesce(func.sum(Order.total_paise), 0)).where(
        Order.created_at >= start, Order.created_at < end, Order.status.not_in(NOT_SALES)
    )
    if key is Customer.loyalty_tier:
        stmt = stmt.join(Customer, Customer.customer_id == Order.customer_id)
    rows = await db.execute(stmt.group_by(key))
    return {str(name or "unknown"): (int(n), int(total)) for name, n, total in rows}


async def _daily(db: AsyncSession, period: Period) -> list[dict[str, Any]]:
    """Every day of the period with the sessions active on each channel (zeros included)."""
    counts: dict[date, dict[str, int]] = {}
    for day, channel, n in await report.daily(db, period.first, period.last):
        counts.setdefault(day, {})[channel] = n
    return [
        {"day": day, "sessions": {c: counts.get(day, {}).get(c, 0) for c in CHANNELS}}
        for day in period.each_day()
    ]
