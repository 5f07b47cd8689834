"""The messaging channels' durable queues: what came in, what goes out, who is who.

A webhook answers 200 only after the delivery's messages are committed to ``channel_inbox``;
a worker answers them later.  The unique ``(channel, external_id)`` key is the dedupe: a
redelivered message is an insert that does nothing (no check-then-set that two deliveries
could both pass).  A reply is written to ``channel_outbox`` in the transaction that marks its
message done, and sent after that commit, retried until the platform takes it.  A crash at
any point loses nothing that was acknowledged; at worst a reply is sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime

PENDING = "pending"
DONE = "done"
SENT = "sent"
FAILED = "failed"


class InboxMessage(Base):
    """A message (or button press, or contact) a platform delivered, to be answered once."""

    __tablename__ = "channel_inbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    # The platform's id of the message: a WhatsApp wamid, a Telegram update_id.
    external_id: Mapped[str] = mapped_column(String(128))
    # Where the answer goes: a WhatsApp wa_id, a Telegram chat id.
    address: Mapped[str] = mapped_column(String(64))
    # The normalised message (channels.base.Inbound as a dict).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the customer sent it, by the platform's clock (orders a chat's pending messages).
    platform_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The platform's own sequence number, where it has one (Telegram's update_id).
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_channel_inbox_message"),
        # The worker's queue: only unanswered messages, by chat in the order they are answered.
        Index(
            "ix_channel_inbox_pending",
            "channel",
            "address",
            "platform_time",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class OutboxMessage(Base):
    """One call to a platform's send API, in the order the chat must see them."""

    __tablename__ = "channel_outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    inbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_inbox.id", ondelete="SET NULL")
    )
    # The platform request: {"method": ..., "body": {...}}.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The platform's id for the sent message (a wamid, a Telegram message_id).
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "ix_channel_outbox_pending",
            "channel",
            "address",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_channel_outbox_inbox_id", "inbox_id"),
    )


class DeliveryStatus(Base):
    """A platform's report on a message we sent (WhatsApp: sent, delivered, read, failed)."""

    __tablename__ = "channel_statuses"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    platform_message_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A redelivered status callback is recorded once.
        UniqueConstraint(
            "channel", "platform_message_id", "status", name="uq_channel_statuses_status"
        ),
    )


class ChannelLink(Base):
    """A messaging identity (a WhatsApp number, a Telegram chat) and the customer behind it.

    ``token_hash`` is the session token the channel uses for that customer: one device in the
    customer's list per chat, not one per message.
    """

    __tablename__ = "channel_links"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("customers.customer_id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
