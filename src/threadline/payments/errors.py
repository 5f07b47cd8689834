"""Payment errors (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

from typing import Any, ClassVar

from threadline.core.errors import AppError


class PaymentDeclined(AppError):
    """402: the gateway said no.  Nothing was charged or reserved and the cart is kept; the body
    carries ``alternatives`` the client can offer (another method, pay at the store)."""

    status: ClassVar[int] = 402
    code = "payment_declined"
    message = "The payment was declined."

    def __init__(self, message: str, *, alternatives: list[dict[str, Any]]) -> None:
        super().__init__(message, field="payment_method")
        self.alternatives = alternatives
        self.amount_paise = 0

    def body(self) -> dict[str, Any]:
        return {**super().body(), "alternatives": self.alternatives}
