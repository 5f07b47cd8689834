"""Request and response bodies of the Sessions part of the contract."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from threadline.core.types import ChannelField, PhoneField

_INT64 = 2**63


def parse_telegram_id(value: Any) -> int | None:
    """Telegram chat ids are signed 64-bit integers; accept them as numbers or digit strings."""
    if value is None:
        return None
    try:
        if isinstance(value, bool | float):
            raise ValueError
        number = int(str(value).strip())
        if not -_INT64 <= number < _INT64:
            raise ValueError
    except ValueError:
        raise PydanticCustomError(
            "invalid_telegram_chat_id", "telegram_chat_id must be a whole 64-bit number"
        ) from None
    return number


TelegramChatId = Annotated[int | None, BeforeValidator(parse_telegram_id)]


class SessionStart(BaseModel):
    phone: PhoneField | None = None
    telegram_chat_id: TelegramChatId = None
    # Required, but checked after the identity so {} answers identity_required first.
    channel: ChannelField | None = None
    customer_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    password: Annotated[str, Field(max_length=1024)] | None = None


class GuestStart(BaseModel):
    channel: ChannelField


class RecentItem(BaseModel):
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.\-/]*$")]


class SessionData(BaseModel):
    cart: list[Any] = []
    recent: list[Any] = []
    chat_context: list[Any] = []
    last_action: Any = None
    channels: list[str] = []
    conversation_summary: str = ""
    last_recommended_skus: list[str] = []


class SessionMetadata(BaseModel):
    channels: list[str]
    chat_context: list[Any]
    conversation_summary: str
    last_recommended_skus: list[str]


class SessionRead(BaseModel):
    session_id: uuid.UUID
    phone: str | None
    telegram_chat_id: int | None
    channel: str
    user_id: str
    customer_id: str
    data: SessionData
    metadata: SessionMetadata
    created_at: datetime
    updated_at: datetime
    is_active: bool
    expires_at: datetime


class SessionEnvelope(BaseModel):
    session_token: str
    session: SessionRead


class HandoffCreate(BaseModel):
    model_config = {"extra": "forbid"}


class HandoffCreated(BaseModel):
    handoff_token: str
    # The website's address with the ticket: what the QR code encodes.
    url: str
    expires_at: datetime
    # The QR code of ``url`` as an inline SVG element, ready to put in a page.
    qr_svg: str


class HandoffStatus(BaseModel):
    # waiting: not scanned yet; used: a device joined with it; expired: nobody did in time.
    state: Literal["waiting", "used", "expired"]
    expires_at: datetime
    used_channel: str | None = None


class HandoffRedeem(BaseModel):
    model_config = {"extra": "forbid"}

    handoff_token: Annotated[str, Field(min_length=1, max_length=128)]
    channel: ChannelField
