"""The WhatsApp Cloud API webhook body as typed models (pydantic v2).

Meta posts one JSON object per delivery::

    {"object": "whatsapp_business_account",
     "entry": [{"id": WABA_ID,
                "changes": [{"field": "messages",
                             "value": {"messaging_product": "whatsapp",
                                       "metadata": {"display_phone_number", "phone_number_id"},
                                       "contacts": [{"profile": {"name"}, "wa_id"}],
                                       "messages": [...], "statuses": [...], "errors": [...]}}]}]}

Only what the shop reads is modelled; every model ignores fields it does not know, so a field
Meta adds tomorrow is not a refusal.  A message's ``type`` is a plain string: a type Meta adds
later still parses (the adapter answers it as something it cannot read).  Changes of another
``field`` (template reviews, account updates …) carry other shapes: their ``value`` is dropped
unread rather than validated against the messages shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

WHATSAPP_BUSINESS_ACCOUNT = "whatsapp_business_account"


def _unix_seconds(value: Any) -> Any:
    """Meta writes timestamps as strings of Unix seconds; a bare integer is taken too."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Ids are stored as text: no control characters (PostgreSQL refuses a NUL outright).
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

# "1686848831": whole seconds since the epoch, as the webhook writes them.
UnixSeconds = Annotated[str, BeforeValidator(_unix_seconds), Field(pattern=r"^\d{1,11}$")]


def to_datetime(seconds: str) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


# --- pieces ---------------------------------------------------------------------------------


class Profile(_Model):
    name: str | None = None


class Contact(_Model):
    """The sender as WhatsApp knows them: their number (``wa_id``) and profile name."""

    wa_id: str | None = None
    profile: Profile | None = None


class Metadata(_Model):
    """The business number the message was sent to."""

    display_phone_number: str = ""
    phone_number_id: str = ""


class ErrorData(_Model):
    details: str | None = None


class PlatformError(_Model):
    """An error object as webhooks carry it (on an unsupported message, a failed status …)."""

    code: int | None = None
    title: str = ""
    message: str | None = None
    error_data: ErrorData | None = None
    # The older shape put the explanation here rather than in error_data.
    details: str | None = None
    href: str | None = None

    def describe(self) -> str:
        """``131047 Re-engagement message: more than 24 hours have passed …``"""
        head = " ".join(
            p for p in (str(self.code) if self.code is not None else "", self.title) if p
        )
        detail = (
            (self.error_data.details if self.error_data else None) or self.details or self.message
        )
        if detail and detail != self.title:
            return f"{head}: {detail}" if head else detail
        return head or "unknown error"


# --- message contents -----------------------------------------------------------------------


class Text(_Model):
    body: str = ""


class ButtonReply(_Model):
    """A tap on one of the reply buttons of an interactive message we sent."""

    id: str
    title: str = ""


class ListReply(_Model):
    """A row picked from an interactive list message we sent."""

    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Model):
    # button_reply | list_reply | nfm_reply (a WhatsApp Flow's answer) | …
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class TemplateButton(_Model):
    """A tap on a quick-reply button of a template message."""

    text: str = ""
    payload: str | None = None


class Media(_Model):
    """An image, sticker, audio clip, video or document (fetched by id from the media API)."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    # Audio: a voice note recorded in the chat rather than a forwarded file.
    voice: bool | None = None
    # Sticker: an animated one.
    animated: bool | None = None


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class Reaction(_Model):
    """An emoji put on (or, with no emoji, taken off) an earlier message."""

    message_id: str | None = None
    emoji: str | None = None


class Context(_Model):
    """What the message replies to (a quoted message, or the message a button belonged to)."""

    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None


class Message(_Model):
    """One message from a WhatsApp user."""

    # The sender's WhatsApp number (their wa_id), digits only.
    from_: str | None = Field(default=None, alias="from", pattern=r"^\d{1,20}$")
    # The wamid: the dedupe key (the inbox keeps 128 characters, printable ones).
    id: str = Field(min_length=1, max_length=128, pattern=_PRINTABLE)
    timestamp: UnixSeconds
    # text | interactive | button | image | sticker | location | audio | video | document |
    # contacts | reaction | order | system | request_welcome | unsupported (formerly unknown) …
    type: str = "unknown"
    context: Context | None = None
    text: Text | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    image: Media | None = None
    sticker: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    location: Location | None = None
    # Shared contact cards: their shape is large and never read (somebody else's number is
    # never trusted), so they are kept as they came.
    contacts: list[dict[str, Any]] | None = None
    reaction: Reaction | None = None
    # On an ``unsupported`` message: why WhatsApp could not pass it on (code 131051).
    errors: list[PlatformError] = []

    @property
    def sent_at(self) -> datetime:
        return to_datetime(self.timestamp)


# --- statuses -------------------------------------------------------------------------------


class ConversationOrigin(_Model):
    type: str | None = None


class Conversation(_Model):
    id: str | None = None
    expiration_timestamp: str | None = None
    origin: ConversationOrigin | None = None

    @model_validator(mode="before")
    @classmethod
    def _timestamp_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("expiration_timestamp"), int):
            data = {**data, "expiration_timestamp": str(data["expiration_timestamp"])}
        return data


class Pricing(_Model):
    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None


class Status(_Model):
    """What became of a message we sent."""

    # The wamid of our message (the status table keeps 128 characters).
    id: str = Field(min_length=1, max_length=128, pattern=_PRINTABLE)
    # sent | delivered | read | failed (and, for voice notes, played)
    status: str = Field(min_length=1, max_length=16)
    timestamp: UnixSeconds
    recipient_id: str | None = Field(default=None, max_length=64, pattern=_PRINTABLE)
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: list[PlatformError] = []

    @property
    def occurred_at(self) -> datetime:
        return to_datetime(self.timestamp)


# --- the envelope ---------------------------------------------------------------------------


class Value(_Model):
    """The content of a ``messages`` change: messages in, statuses of messages out, or errors."""

    messaging_product: str = "whatsapp"
    metadata: Metadata = Metadata()
    contacts: list[Contact] = []
    messages: list[Message] = []
    statuses: list[Status] = []
    # A problem with the app or account that kept Meta from delivering something.
    errors: list[PlatformError] = []


class Change(_Model):
    field: str
    # Only a ``messages`` change is read; any other kind's value is dropped unvalidated.
    value: Value | None = None

    @model_validator(mode="before")
    @classmethod
    def _only_messages(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("field") != "messages" and "value" in data:
            data = {k: v for k, v in data.items() if k != "value"}
        return data


class Entry(_Model):
    # The WhatsApp Business Account id.
    id: str = ""
    changes: list[Change] = []


class WebhookPayload(_Model):
    """A whole delivery to ``POST /channels/whatsapp/webhook``."""

    object: Literal["whatsapp_business_account"]
    entry: list[Entry]
