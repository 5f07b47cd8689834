"""The message log of the sales agent: one row per shopper message, in arrival order.

A row is written when a message arrives (``status = waiting``): its ``seq`` is its place in
the session's queue.  The turn runs once every earlier turn of the session has finished, and
its reply is written to the same row in the transaction that applies its effects.  The session
keeps only the recent turns (``session.data.chat_context``); the whole conversation is here,
read by primary key, so a long conversation costs a turn nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from threadline.db import Base, UTCDateTime

WAITING = "waiting"
DONE = "done"
FAILED = "failed"  # the turn raised; its effects were rolled back
ABANDONED = "abandoned"  # never finished (its server stopped); a later turn went past it


class ChatTurn(Base):
    __tablename__ = "chat_turns"

    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.session_id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(40))
    command: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    skus: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # The queue: only unfinished turns, so finding the one ahead is cheap in a long chat.
        Index(
            "ix_chat_turns_waiting",
            "session_id",
            "seq",
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
    )
