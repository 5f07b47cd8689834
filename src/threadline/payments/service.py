"""The record of payment attempts (what the gateway said, for support and the dashboards)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from threadline.payments.models import PaymentAttempt


async def record_attempt(
    db: AsyncSession,
    *,
    customer_id: str,
    order_id: str | None,
    method: str,
    amount_paise: int,
    status: str,
    provider_ref: str | None,
    decline_reason: str | None,
    at: datetime,
) -> None:
    db.add(
        PaymentAttempt(
            customer_id=customer_id,
            order_id=order_id,
            method=method,
            amount_paise=amount_paise,
            status=status,
            provider_ref=provider_ref,
            decline_reason=decline_reason,
            created_at=at,
        )
    )
