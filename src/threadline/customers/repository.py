"""SQL for customer records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.customers.models import Customer
from threadline.db import insert_ignoring_conflicts


async def get(db: AsyncSession, customer_id: str, *, for_update: bool = False) -> Customer | None:
    if for_update:
        return await db.get(Customer, customer_id, with_for_update=True, populate_existing=True)
    return await db.get(Customer, customer_id)


async def get_by_phone(db: AsyncSession, phone: str) -> Customer | None:
    return (await db.execute(select(Customer).where(Customer.phone == phone))).scalar_one_or_none()


async def get_by_telegram(db: AsyncSession, chat_id: int) -> Customer | None:
    stmt = select(Customer).where(Customer.telegram_chat_id == chat_id)
    return (await db.execute(stmt)).scalar_one_or_none()


async def insert_unless_taken(db: AsyncSession, values: dict[str, Any], unique_column: str) -> None:
    """Insert a customer unless ``unique_column`` (phone or telegram id) is already taken.

    ``ON CONFLICT DO NOTHING`` is what makes two concurrent first visits of one phone create a
    single record: the loser's insert waits for the winner and then does nothing.
    """
    await db.execute(insert_ignoring_conflicts(db, Customer, [unique_column]).values(**values))


async def set_fields(db: AsyncSession, customer_id: str, **values: Any) -> None:
    await db.execute(update(Customer).where(Customer.customer_id == customer_id).values(**values))


async def set_fields_if_no_password(db: AsyncSession, customer_id: str, **values: Any) -> bool:
    result = await db.execute(
        update(Customer)
        .where(Customer.customer_id == customer_id, Customer.password_hash.is_(None))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
