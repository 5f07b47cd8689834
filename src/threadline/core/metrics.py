"""Prometheus metrics: HTTP, sessions, conversation, commerce, channels and the model.

Every label has a bounded set of values (route templates, never raw paths; channels, payment
methods, fixed reasons), so the number of series stays small whatever the traffic.

Business events count only what committed.  A service does not increment a counter itself: it
calls :func:`count_on_commit` with the unit of work (``AsyncSession``) the event belongs to.  The
event waits in ``session.info`` and is counted by the SQLAlchemy ``after_commit`` hook when that
transaction commits; a rollback (or a session closed without committing) drops it, so a
checkout whose payment was declined, or whose stock ran out at the last moment, is never
counted as an order.  (Events belong to the whole transaction: none is queued inside a
savepoint.)  Refusals that write nothing, such as a webhook's bad signature, are counted at once.

Several server processes (``threadline serve --workers N``) share one set of numbers through
prometheus_client's multiprocess mode: ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
private folder before the workers start, each worker writes its values there, and
:func:`exposition` adds them all up for a scrape of any worker.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "threadline_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "threadline_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SESSIONS_STARTED = Counter(
    "threadline_sessions_started_total",
    "Devices and chats that joined a conversation (start, login, signup, OTP, guest, handoff, "
    "a WhatsApp or Telegram chat) by channel; new=true when the session was created",
    ["channel", "new"],
)
SESSION_CHANNELS_ADDED = Counter(
    "threadline_session_channels_added_total",
    "A channel joined a conversation another channel had started (cross-channel continuity)",
    ["channel"],
)
HANDOFFS = Counter(
    "threadline_handoffs_total",
    "Kiosk-to-phone handoff codes by stage (created: on the showing channel; redeemed: on the "
    "channel that scanned it)",
    ["stage", "channel"],
)
CHANNEL_CHATS_JOINED = Counter(
    "threadline_channel_chats_joined_total",
    "WhatsApp or Telegram chats that joined their customer's conversation (a first message, a "
    "shared contact, or again after a logout)",
    ["channel"],
)
SESSIONS_RESTORED = Counter(
    "threadline_sessions_restored_total",
    "Successful restores by channel and method",
    ["channel", "by"],
)
SESSIONS_PURGED = Counter("threadline_sessions_purged_total", "Expired sessions removed")
CHAT_TURNS = Counter(
    "threadline_chat_turns_total",
    "Sales agent turns answered, by channel (POST /chat and chat messages alike), what the agent "
    "did and which layer understood the message",
    ["channel", "action", "source"],
)
CHAT_TURN_SECONDS = Histogram(
    "threadline_chat_turn_seconds",
    "Server time of a chat turn, from arrival to reply (waiting for earlier turns included)",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CHANNEL_INBOUND = Counter(
    "threadline_channel_inbound_total",
    "Messages delivered by a messaging platform, by outcome (accepted, duplicate)",
    ["channel", "outcome"],
)
CHANNEL_ANSWERED = Counter(
    "threadline_channel_answered_total",
    "Inbound channel messages answered, by outcome (answered, gave_up)",
    ["channel", "outcome"],
)
CHANNEL_QUEUED = Counter(
    "threadline_channel_replies_queued_total",
    "Send-API calls written to the outbox (each ends as sent or failed)",
    ["channel"],
)
CHANNEL_SENDS = Counter(
    "threadline_channel_sends_total",
    "Calls to a messaging platform's send API, by result (sent, retry, failed)",
    ["channel", "result"],
)
CHANNEL_SEND_ERRORS = Counter(
    "threadline_channel_send_errors_total",
    "Failed calls to a messaging platform's send API, by reason (rate_limited, server_error, "
    "rejected, unreachable, not_configured, error); retried or not",
    ["channel", "reason"],
)
WEBHOOK_DELIVERIES = Counter(
    "threadline_webhook_deliveries_total",
    "Webhook calls accepted (authenticated, parsed and stored) by channel",
    ["channel"],
)
WEBHOOK_FAILURES = Counter(
    "threadline_webhook_failures_total",
    "Webhook calls refused, by channel and reason (not_configured, bad_signature, bad_secret, "
    "malformed_json, invalid_payload, verification_refused)",
    ["channel", "reason"],
)
CART_WRITES = Counter(
    "threadline_cart_writes_total",
    "Committed cart changes by channel and operation (add, change, remove, coupon, "
    "coupon_removed, merge)",
    ["channel", "operation"],
)
ORDERS_PLACED = Counter(
    "threadline_orders_placed_total",
    "Orders committed, by channel, payment method and fulfilment",
    ["channel", "payment_method", "fulfillment"],
)
REVENUE = Counter(
    "threadline_revenue_rupees_total",
    "Value of the orders committed, in rupees (what the shopper pays after discounts and points; "
    "cash on delivery and pay-at-store included when ordered), by channel",
    ["channel"],
)
PAYMENT_DECLINES = Counter(
    "threadline_payment_declines_total",
    "Checkouts whose payment was declined (nothing charged, cart kept), by channel and method",
    ["channel", "payment_method"],
)
RETURNS = Counter(
    "threadline_returns_total",
    "Returns committed, by the order's channel and kind (return: money back; exchange)",
    ["channel", "kind"],
)
ORDERS_ENDED = Counter(
    "threadline_orders_ended_total",
    "Orders undone, their stock back on sale, by channel and outcome (cancelled; expired: a "
    "reservation not collected in time)",
    ["channel", "outcome"],
)
REFUNDS = Counter(
    "threadline_refunds_rupees_total",
    "Money refunded (returned lines and cancelled paid orders), in rupees, by the order's channel",
    ["channel"],
)
LLM_FALLBACKS = Counter(
    "threadline_agent_llm_fallbacks_total",
    "Language model answers not used (the offline path answered) by stage and reason",
    ["stage", "reason"],
)

_PENDING = "threadline.metrics.pending"


def count_on_commit(
    db: AsyncSession | Session, counter: Counter, amount: float = 1.0, **labels: str
) -> None:
    """Add ``amount`` to ``counter`` once ``db``'s transaction commits; nothing if it rolls back.

    The labels are checked now (a wrong name fails at the call, not at the commit).
    """
    child: Any = counter.labels(**labels) if labels else counter
    db.info.setdefault(_PENDING, []).append((child, amount))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    # Releasing a savepoint is a commit too, but only the outermost transaction's counts.
    if session.get_nested_transaction() is not None:
        return
    for child, amount in session.info.pop(_PENDING, ()):
        child.inc(amount)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the hook above has taken everything; what is left here was rolled back.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def exposition() -> bytes:
    """The Prometheus text of this process, or of every worker in multiprocess mode."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry, path=path)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def process_stopped() -> None:
    """A worker's shutdown in multiprocess mode: its live gauges stop counting (its counters
    keep adding up, as counters should)."""
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        _multiprocess.mark_process_dead(os.getpid(), path)
