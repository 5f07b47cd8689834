"""Shared request types: channels and phones, with the contract's error codes.

Validation failures raise ``PydanticCustomError`` whose *type* is the contract code
(``invalid_phone``, ``invalid_channel``); the error handler passes that code through.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from threadline.core.phone import InvalidPhone, normalize_phone


class Channel(StrEnum):
    web = "web"
    kiosk = "kiosk"
    app = "app"
    whatsapp = "whatsapp"
    telegram = "telegram"


CHANNELS = ", ".join(c.value for c in Channel)


def parse_channel(value: Any) -> Channel:
    try:
        return Channel(str(value).strip().lower())
    except ValueError:
        raise PydanticCustomError(
            "invalid_channel", "channel must be one of: {channels}", {"channels": CHANNELS}
        ) from None


def parse_phone(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PydanticCustomError("invalid_phone", "phone must be a string such as +919876543210")
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise PydanticCustomError("invalid_phone", "{reason}", {"reason": str(exc)}) from None


ChannelField = Annotated[Channel, BeforeValidator(parse_channel)]
PhoneField = Annotated[str, BeforeValidator(parse_phone)]
