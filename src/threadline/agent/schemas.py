"""Request and response bodies of ``POST /chat`` and ``GET /chat/history``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from threadline.cart.schemas import CartRead
from threadline.catalog.schemas import ProductRead

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, Field(min_length=1, max_length=2000)]

    @field_validator("message")
    @classmethod
    def _printable(cls, value: str) -> str:
        # Control characters carry no meaning in a chat and PostgreSQL text cannot hold NUL.
        return _CONTROL.sub(" ", value)


class UnderstoodCommand(BaseModel):
    intent: str
    slots: dict[str, Any]
    source: str


class ChatReply(BaseModel):
    reply: str
    products: list[ProductRead]
    cart: CartRead
    suggestions: Annotated[list[str], Field(min_length=2, max_length=4)]
    action: str
    # Extensions: how the message was understood, and its place in the conversation.
    command: UnderstoodCommand
    turn: int


class ChatTurnRead(BaseModel):
    turn: int
    channel: str
    message: str
    reply: str | None
    action: str | None
    skus: list[str]
    created_at: datetime


class ChatHistory(BaseModel):
    items: list[ChatTurnRead]
    # Pass as ``before`` to read older turns; null when there are none.
    next_before: int | None
