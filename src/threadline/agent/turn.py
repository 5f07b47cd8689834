"""What a worker agent gets (:class:`Turn`) and gives back (:class:`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.agent.commands import Command
from threadline.catalog.search_index import SearchIndex
from threadline.config import Settings
from threadline.loyalty.pricing import TierRule
from threadline.payments.gateway import PaymentGateway
from threadline.sessions.cache import SessionCache
from threadline.sessions.state import SessionContext


@dataclass(frozen=True, slots=True)
class Shopper:
    """The customer as this turn read them (plain values: they stay valid after a rollback)."""

    customer_id: str
    name: str | None
    city: str | None
    loyalty_tier: str | None
    loyalty_points: int
    preferences: dict[str, Any] | None
    purchase_history: list[Any] | None


@dataclass(slots=True)
class Turn:
    """One shopper message being answered.

    ``data`` is a working copy of the session's data: workers read the cart from it and keep
    the agent's own state in it (``memory.agent_state``); the cart itself changes only through
    the cart service, which writes the session under its row lock.
    """

    db: AsyncSession
    settings: Settings
    cache: SessionCache
    ctx: SessionContext
    gateway: PaymentGateway
    index: SearchIndex
    command: Command
    data: dict[str, Any]
    customer: Shopper | None
    tier: TierRule | None
    seq: int
    # Set when a worker ended the turn's transaction (checkout commits or rolls back): the
    # session row must be locked and read again before the turn's memory is written.
    ended: bool = False
    # Set when that ended transaction committed an effect that must stand (an order).
    committed: bool = False

    @property
    def state(self) -> dict[str, Any]:
        from threadline.agent.memory import agent_state

        return agent_state(self.data)

    @property
    def channel(self) -> str:
        return self.ctx.channel


@dataclass(slots=True)
class Outcome:
    """What a worker did, as facts; the composer turns it into words and buttons."""

    action: str
    facts: dict[str, Any] = field(default_factory=dict)
    products: list[dict[str, Any]] = field(default_factory=list)
    # True when ``products`` are recommendations ("the second one" then means them).
    recommended: bool = False
    # The cart as it is after this turn, when the worker changed or read it.
    cart: dict[str, Any] | None = None
    # The question the agent now waits on (kept in the session until answered).
    ask: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
