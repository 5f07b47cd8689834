"""The post-purchase support worker: where an order is, returns, and handing over to a person."""

from __future__ import annotations

from typing import Any

import structlog

from threadline.agent import resolve
from threadline.agent.commands import Slots
from threadline.agent.turn import Outcome, Turn
from threadline.catalog.search_index import size_key
from threadline.core.clock import clock
from threadline.core.errors import AppError
from threadline.db import rollback_now
from threadline.orders import returns
from threadline.orders import service as orders
from threadline.orders.schemas import ReturnCreate

log = structlog.get_logger()

RECEIVED = orders.RECEIVED


async def _order(
    turn: Turn, order_id: str | None, *, received: bool = False
) -> dict[str, Any] | None:
    if order_id:
        try:
            order = await orders.own_order(turn.db, turn.ctx.session.customer_id, order_id.upper())
        except AppError:
            return None
        from threadline.orders import placement

        return await placement.render(turn.db, order)
    listed = await orders.list_orders(turn.db, turn.ctx.session.customer_id, limit=10, offset=0)
    items = listed["items"]
    if received:
        items = [o for o in items if o["status"] in RECEIVED] or items
    return items[0] if items else None


async def status(turn: Turn, order_id: str | None) -> Outcome:
    order = await _order(turn, order_id)
    if order is None:
        return Outcome("showed_order_status", {"missing": True, "order_id": order_id})
    return Outcome("showed_order_status", {"order": order})


def _sells(turn: Turn, sku: str, size: str) -> bool:
    doc = turn.index.get(sku)
    return doc is not None and any(size_key(s) == size_key(size) for s in doc.product["sizes"])


async def start_return(turn: Turn, slots: Slots, *, among: list[str] | None = None) -> Outcome:
    """Find the order and the line(s) to return, then ask to confirm before doing it.

    ``among``: the line ids the agent just listed when it asked which one; an ordinal in the
    answer counts in that list.
    """
    order = await _order(turn, slots.order_id, received=True)
    if order is None:
        return Outcome("return_blocked", {"reason": "no_order", "order_id": slots.order_id})
    if order["status"] not in RECEIVED:
        return Outcome("return_blocked", {"reason": "not_received", "order": order})
    open_lines = [line for line in order["items"] if line["returned_qty"] < line["qty"]]
    if among:
        open_lines = [line for line in open_lines if line["line_id"] in among]
    lines = [line for line in open_lines if resolve.line_fits(turn.index, line, slots)]
    if slots.ordinal is not None:
        n = len(open_lines) if slots.ordinal == -1 else slots.ordinal
        lines = [open_lines[n - 1]] if 1 <= n <= len(open_lines) else []
    if not lines:
        return Outcome("return_blocked", {"reason": "no_line", "order": order})
    if len(lines) > 1 and (slots.category or slots.color):
        return Outcome(
            "asked_which",
            {"lines": lines, "for": "return"},
            ask={
                "ask": "return_line",
                "order_id": order["order_id"],
                "line_ids": [x["line_id"] for x in lines],
            },
            suggestions=["The first one", "The second one", "The third one", "The fourth one"][
                : max(2, min(len(lines), 4))
            ],
        )
    exchange = slots.size
    if exchange:
        unsold = [x for x in lines if not _sells(turn, x["sku"], exchange)]
        if unsold:
            names = ", ".join(f"{x['name']}" for x in unsold)
            return Outcome(
                "return_blocked",
                {"reason": "size", "error": f"{names} doesn't come in size {exchange}."},
            )
    pending = {
        "ask": "confirm",
        "intent": "return_item",
        "order_id": order["order_id"],
        "line_ids": [x["line_id"] for x in lines],
        "exchange_size": exchange,
    }
    return Outcome(
        "asked_confirmation",
        {"return": True, "order": order, "lines": lines, "exchange_size": exchange},
        ask=pending,
        suggestions=["Yes, go ahead", "No, keep it"],
    )


async def confirm_return(turn: Turn, pending: dict[str, Any]) -> Outcome:
    body = ReturnCreate(
        line_ids=pending["line_ids"],
        reason="Requested in chat",
        exchange_size=pending.get("exchange_size"),
    )
    try:
        order = await returns.request_return(
            turn.db,
            turn.settings,
            turn.gateway,
            turn.ctx.session.customer_id,
            pending["order_id"],
            body,
        )
    except AppError as exc:
        # A return or exchange that failed part-way (one line swapped, the next refused) must
        # leave nothing behind.
        await rollback_now(turn.db)
        turn.ended = True
        return Outcome("return_blocked", {"reason": exc.code, "error": exc.message})
    from threadline.orders import placement

    rendered = await placement.render(turn.db, order)
    made = rendered["returns"][-1] if rendered["returns"] else None
    return Outcome("return_requested", {"order": rendered, "return": made})


def hand_over(turn: Turn) -> Outcome:
    """Note that the shopper wants a person; staff tools read ``agent.handoff``."""
    turn.state["handoff"] = {"at": clock.now().isoformat(), "channel": turn.channel}
    log.info(
        "agent.handoff_requested",
        session_id=str(turn.ctx.session.session_id),
        channel=turn.channel,
    )
    return Outcome("handed_to_staff", {"channel": turn.channel})
