"""Customer resolution and staff operations on customer records."""

from __future__ import annotations

import secrets
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.core.clock import clock
from threadline.core.phone import mask_phone
from threadline.customers import repository
from threadline.customers.errors import CustomerNotFound, PhoneInUse
from threadline.customers.models import Customer

log = structlog.get_logger()


def new_customer_id() -> str:
    return "C" + secrets.token_hex(6).upper()


async def get(db: AsyncSession, customer_id: str) -> Customer | None:
    return await repository.get(db, customer_id)


async def find_by_phone(db: AsyncSession, phone: str) -> Customer | None:
    return await repository.get_by_phone(db, phone)


async def find_by_telegram(db: AsyncSession, chat_id: int) -> Customer | None:
    return await repository.get_by_telegram(db, chat_id)


async def get_or_create_by_phone(
    db: AsyncSession, phone: str, *, source: str
) -> tuple[Customer, bool]:
    """The customer with this (normalised) phone, created on first contact; True if created."""
    customer = await repository.get_by_phone(db, phone)
    if customer is not None:
        return customer, False
    return await create_unless_taken(db, "phone", phone, source=source)


async def get_or_create_by_telegram(
    db: AsyncSession, chat_id: int, *, source: str
) -> tuple[Customer, bool]:
    """The customer of this Telegram chat, created on first contact (trusted callers only)."""
    customer = await repository.get_by_telegram(db, chat_id)
    if customer is not None:
        return customer, False
    return await create_unless_taken(db, "telegram_chat_id", chat_id, source=source)


async def create_guest(db: AsyncSession) -> Customer:
    """A customer record for a shopper who has not said who they are (no phone)."""
    now = clock.now()
    customer = Customer(
        customer_id=new_customer_id(),
        source="guest",
        loyalty_tier="bronze",
        loyalty_points=0,
        preferences={},
        profile={},
        purchase_history=[],
        created_at=now,
        updated_at=now,
    )
    db.add(customer)
    await db.flush()
    return customer


async def create_unless_taken(
    db: AsyncSession, column: str, value: str | int, *, source: str
) -> tuple[Customer, bool]:
    """Create a customer identified by ``column``; if a concurrent call got there first, that
    customer is returned instead (False)."""
    now = clock.now()
    customer_id = new_customer_id()
    values: dict[str, object] = {
        "customer_id": customer_id,
        column: value,
        "source": source,
        "loyalty_tier": "bronze",
        "loyalty_points": 0,
        "preferences": {},
        "profile": {},
        "purchase_history": [],
        "created_at": now,
        "updated_at": now,
    }
    await repository.insert_unless_taken(db, values, column)
    find = repository.get_by_phone if column == "phone" else repository.get_by_telegram
    customer = await find(db, value)  # type: ignore[arg-type]
    assert customer is not None, f"insert-or-ignore by {column} left no row"
    created = customer.customer_id == customer_id
    if created:
        log.info("customer.created", customer_id=customer_id, identity=column)
    return customer, created


async def link_phone(
    db: AsyncSession, customer_id: str, phone: str, *, replace: bool = False
) -> Customer:
    """Give a customer a phone (a staff action; customers never claim an id themselves)."""
    customer = await repository.get(db, customer_id)
    if customer is None:
        raise CustomerNotFound(f"No customer has the id {customer_id!r}.")
    owner = await repository.get_by_phone(db, phone)
    if owner is not None and owner.customer_id != customer_id:
        raise PhoneInUse(f"{mask_phone(phone)} already belongs to customer {owner.customer_id}.")
    if customer.phone and customer.phone != phone and not replace:
        raise PhoneInUse(
            f"Customer {customer_id} already has the phone {mask_phone(customer.phone)}; "
            "pass --replace to change it."
        )
    customer.phone = phone
    customer.updated_at = clock.now()
    await db.flush()
    log.info("customer.phone_linked", customer_id=customer_id, phone=mask_phone(phone))
    return customer


async def link_telegram(db: AsyncSession, customer: Customer, chat_id: int) -> bool:
    """Attach a Telegram chat to a customer (trusted callers only: chat ids are not secrets).

    Returns True if the record changed.
    """
    if customer.telegram_chat_id == chat_id:
        return False
    in_use = PhoneInUse(
        "That Telegram chat is already linked to another customer.",
        code="telegram_in_use",
        field="telegram_chat_id",
    )
    other = await repository.get_by_telegram(db, chat_id)
    if other is not None:
        raise in_use
    try:
        # A savepoint: if a concurrent request takes the chat id first, the unique index
        # refuses ours and the rest of this transaction carries on to a clean 409.
        async with db.begin_nested():
            await repository.set_fields(
                db, customer.customer_id, telegram_chat_id=chat_id, updated_at=clock.now()
            )
    except IntegrityError:
        raise in_use from None
    await db.refresh(customer)
    return True


async def set_password_hash(db: AsyncSession, customer: Customer, password_hash: str) -> None:
    await repository.set_fields(
        db, customer.customer_id, password_hash=password_hash, updated_at=clock.now()
    )


async def claim_account(
    db: AsyncSession, customer: Customer, password_hash: str, *, name: str, email: str | None
) -> bool:
    """Give a customer without a password one (and the name/e-mail they signed up with).

    False if the customer already has a password: the UPDATE is conditional on that, so of two
    racing signups for one phone exactly one wins.
    """
    values: dict[str, object] = {"password_hash": password_hash, "name": name}
    if email:
        values["email"] = email
    claimed = await repository.set_fields_if_no_password(
        db, customer.customer_id, updated_at=clock.now(), **values
    )
    if claimed:
        await db.refresh(customer)
    return claimed


async def record_purchases(
    db: AsyncSession, customer_id: str, entries: list[dict[str, Any]], *, keep: int = 200
) -> None:
    """Append to the customer's purchase history (newest last, bounded), under a row lock."""
    customer = await repository.get(db, customer_id, for_update=True)
    if customer is None:
        return
    customer.purchase_history = [*customer.purchase_history, *entries][-keep:]
    customer.updated_at = clock.now()
