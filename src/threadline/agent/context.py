"""What a turn knows besides the message, and what it leaves in the session afterwards.

Before acting: the shopper as the turn read them, the cart they left behind when they come
back (:func:`welcome_back`) and a short account of the conversation for the language model.
After acting: :func:`remember` composes the reply and has :class:`TurnMemory` write it, with
the agent's state, into the session under its row lock, and :func:`learn_preferences` copies
what the shopper told about themselves into their profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.agent import compose, memory, resolve
from threadline.agent.turn import Outcome, Shopper, Turn
from threadline.cart import service as cart_service
from threadline.catalog.search_index import SearchIndex
from threadline.core.clock import clock
from threadline.customers.models import Customer
from threadline.loyalty import service as loyalty
from threadline.sessions import service as sessions
from threadline.sessions.models import ConversationSession
from threadline.sessions.state import SessionContext

# A shopper coming back after this long (or on another channel) is reminded of their cart.
AWAY = timedelta(hours=1)
# Replies that describe the cart (and may nudge towards an offer).
_CART_ACTIONS = frozenset({"added_to_cart", "showed_cart", "updated_cart", "removed_from_cart"})


def welcome_back(
    data: dict[str, Any], state: dict[str, Any], channel: str, now: datetime
) -> dict[str, Any] | None:
    """The forgotten cart, when the shopper returns on another channel or after a while."""
    items = [x for x in data.get("cart") or [] if isinstance(x, dict)]
    if not items:
        return None
    last_channel = state.get("last_channel")
    if last_channel is None:
        # No chat yet: the cart was filled through the pages or the API.  Worth a word when
        # this is not the channel the session began on (kiosk cart, first words on WhatsApp).
        channels = data.get("channels") or [channel]
        return cart_service.view(data) if channels[0] != channel else None
    try:
        last_at = datetime.fromisoformat(str(state.get("last_turn_at")))
    except ValueError:
        last_at = now
    if last_channel == channel and now - last_at < AWAY:
        return None
    return cart_service.view(data)


def context_text(data: dict[str, Any], index: SearchIndex) -> str:
    """A short description of the conversation for the language model."""
    parts = []
    summary = data.get("conversation_summary")
    if summary:
        parts.append(f"Summary: {summary}")
    shown = resolve.shown_docs(index, data)
    if shown:
        parts.append(
            "Last shown: "
            + "; ".join(
                f"{i}. {d.name} ({d.color or '-'}, ₹{d.price_paise // 100})"
                for i, d in enumerate(shown, 1)
            )
        )
    pending = (data.get("agent") or {}).get("pending")
    if pending:
        parts.append(f"Waiting for the shopper's answer: {pending.get('ask')}")
    lines = data.get("cart") or []
    if lines:
        parts.append(f"Cart: {len(lines)} lines")
    return "\n".join(parts)


def shopper(customer: Customer | None) -> Shopper | None:
    if customer is None:
        return None
    return Shopper(
        customer_id=customer.customer_id,
        name=customer.name,
        city=customer.city,
        loyalty_tier=customer.loyalty_tier,
        loyalty_points=int(customer.loyalty_points or 0),
        preferences=dict(customer.preferences or {}),
        purchase_history=list(customer.purchase_history or []),
    )


@dataclass(slots=True)
class TurnMemory:
    """Writes one turn into the session, under its row lock, and keeps the reply it composed.

    Called with the session's data as it is now, locked: the cart service may have written it
    in this turn, and the reply describes the cart as it stands.
    """

    outcome: Outcome
    # What the composer may mention; its ``cart`` is filled in from the locked session.
    context: compose.Context
    state: dict[str, Any]
    # The turn's working copy of the session's data, as it was read at the start.
    data: dict[str, Any]
    message: str
    now: datetime
    keep_turns: int
    tier: str | None
    text: str = ""
    suggestions: list[str] = field(default_factory=list)
    cart: dict[str, Any] = field(default_factory=dict)

    async def __call__(self, current: dict[str, Any]) -> None:
        outcome = self.outcome
        cart = outcome.cart or cart_service.view(current)
        self.context.cart = cart
        text, suggestions = compose.compose(outcome, self.context)
        self.text, self.suggestions, self.cart = text, suggestions, cart
        current["agent"] = self.state
        if outcome.action == "showed_details" and outcome.products:
            sku = outcome.products[0]["sku"]
            recent = [s for s in current.get("recent") or [] if s != sku]
            current["recent"] = [sku, *recent][: sessions.RECENT_LIMIT]
        if outcome.recommended:
            shown = [p["sku"] for p in outcome.products]
            current["last_recommended_skus"] = shown[: memory.SHOWN_LIMIT]
        elif outcome.action == "noted_rejection":  # the rejected product leaves the list
            current["last_recommended_skus"] = self.data.get("last_recommended_skus") or []
        memory.append_turn(
            current,
            message=self.message,
            reply=text,
            channel=self.context.channel,
            at=self.now,
            keep_turns=self.keep_turns,
        )
        current["conversation_summary"] = memory.summary(current, tier=self.tier)
        current["last_action"] = outcome.action


async def remember(
    turn: Turn,
    row: ConversationSession,
    state: dict[str, Any],
    outcome: Outcome,
    welcome_back: dict[str, Any] | None,
    message: str,
) -> tuple[SessionContext, TurnMemory]:
    """Compose the reply and write the turn into the session (returned as it now is)."""
    db, ctx, customer, tier = turn.db, turn.ctx, turn.customer, turn.tier
    offers_now = await loyalty.active_offers(db) if outcome.action in _CART_ACTIONS else []
    now = clock.now()
    state["last_channel"] = ctx.channel
    state["last_turn_at"] = now.isoformat()
    said = TurnMemory(
        outcome=outcome,
        context=compose.Context(
            name=customer.name if customer else None,
            tier=tier,
            offers=offers_now,
            # Only when this turn left the cart as it found it: the nudge describes it.
            welcome_back=welcome_back if outcome.cart is None else None,
            channel=ctx.channel,
        ),
        state=state,
        data=turn.data,
        message=message,
        now=now,
        keep_turns=turn.settings.chat_context_turns,
        tier=tier.tier if tier else None,
    )
    if turn.ended:  # the checkout ended the transaction: lock and read the row again
        ctx = await sessions.update_data(db, turn.settings, turn.cache, ctx, said)
    else:  # still locked, and the cart service kept the row up to date
        ctx = await sessions.update_locked(db, turn.cache, ctx, row, said)
    return ctx, said


async def learn_preferences(
    db: AsyncSession, shopper: Shopper | None, state: dict[str, Any]
) -> None:
    """Copy sizes, colours and budget the shopper stated into their profile (when new)."""
    if shopper is None:
        return
    learned = _learned(shopper.preferences or {}, state.get("notes") or {})
    if learned is None:
        return
    # Read afresh: a checkout in this turn may have committed or rolled back meanwhile.
    customer = await db.get(Customer, shopper.customer_id, populate_existing=True)
    if customer is not None:
        customer.preferences = _learned(dict(customer.preferences or {}), state["notes"]) or {
            **(customer.preferences or {})
        }
        await db.flush()


def _learned(prefs: dict[str, Any], notes: dict[str, Any]) -> dict[str, Any] | None:
    """``prefs`` with what the notes add, or None when they add nothing."""
    prefs = dict(prefs)
    changed = False
    sizes = notes.get("sizes")
    if isinstance(sizes, dict) and sizes:
        known = prefs.get("sizes")
        if known is None or isinstance(known, dict):
            merged = {**(known or {}), **sizes}
            if merged != known:
                prefs["sizes"], changed = merged, True
    colours = notes.get("colors")
    if isinstance(colours, list) and colours:
        known_colours = prefs.get("colors")
        if known_colours is None or isinstance(known_colours, list):
            merged_colours = list(dict.fromkeys([*colours, *(known_colours or [])]))[:5]
            if merged_colours != known_colours:
                prefs["colors"], changed = merged_colours, True
    budget = notes.get("budget")
    current = prefs.get("budget")
    if isinstance(budget, int) and current != budget and not isinstance(current, dict | list):
        prefs["budget"], changed = budget, True
    return prefs if changed else None
