"""Payments behind one protocol, and the built-in simulated gateway.

``PaymentGateway`` is what checkout and returns call; the app creates one in ``lifespan`` and
tests may swap it.  ``SimulatedGateway`` is an honest stand-in for a real provider: it keeps no
money, approves UPI, card and wallet payments, leaves cash on delivery pending, and declines the
way a bank does when asked to — card payments above ``PAYMENT_CARD_LIMIT_INR``, or any payment
carrying the test token ``tok_decline`` — so the decline-and-recover path is real end to end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

PaymentMethod = Literal["upi", "card", "cod", "wallet"]
DECLINE_TOKEN = "tok_decline"


@dataclass(frozen=True, slots=True)
class Charge:
    amount_paise: int
    method: PaymentMethod
    reference: str
    customer_id: str
    token: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentResult:
    # captured: money taken; pending: to be collected (cash on delivery, pay at store);
    # declined: nothing taken.
    status: Literal["captured", "pending", "declined"]
    provider_ref: str | None = None
    decline_reason: str | None = None


class PaymentGateway(Protocol):
    """A payment provider."""

    name: str

    async def charge(self, charge: Charge) -> PaymentResult:
        """Take (or, for cash, register) a payment; a decline is a result, not an exception."""
        ...

    async def refund(self, provider_ref: str, amount_paise: int, *, idempotency_key: str) -> str:
        """Give back part or all of a captured payment; returns the refund's reference.

        The same ``idempotency_key`` again returns the first refund's reference and moves no
        more money, so a refund retried after a failed commit is never paid twice.
        """
        ...


class SimulatedGateway:
    """Approves, declines and refunds by fixed rules, without moving money."""

    name = "simulated"

    def __init__(self, *, card_limit_paise: int) -> None:
        self.card_limit_paise = card_limit_paise
        self.refunded: dict[str, int] = {}
        self._refunds: dict[str, str] = {}

    async def charge(self, charge: Charge) -> PaymentResult:
        if charge.amount_paise <= 0:
            return PaymentResult("captured", f"sim_{uuid.uuid4().hex[:16]}")
        if charge.method == "cod":
            return PaymentResult("pending", f"cod_{uuid.uuid4().hex[:16]}")
        if charge.token == DECLINE_TOKEN:
            return PaymentResult("declined", decline_reason="The bank declined this payment.")
        if (
            charge.method == "card"
            and self.card_limit_paise
            and charge.amount_paise > self.card_limit_paise
        ):
            limit = self.card_limit_paise // 100
            return PaymentResult(
                "declined",
                decline_reason=f"The card was declined: over its ₹{limit:,} limit for online payments.",
            )
        return PaymentResult("captured", f"sim_{uuid.uuid4().hex[:16]}")

    async def refund(self, provider_ref: str, amount_paise: int, *, idempotency_key: str) -> str:
        if idempotency_key in self._refunds:
            return self._refunds[idempotency_key]
        self.refunded[provider_ref] = self.refunded.get(provider_ref, 0) + amount_paise
        self._refunds[idempotency_key] = reference = f"rfnd_{uuid.uuid4().hex[:16]}"
        return reference
