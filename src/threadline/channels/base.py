"""What every messaging channel shares: the normalised message in, the reply out, the adapter.

A channel's webhook turns a platform delivery into :class:`Inbound` messages and hands them to
:func:`threadline.channels.inbox.accept`.  The worker answers each one through the sales agent
as an :class:`Outgoing` reply, which the channel's :class:`ChannelAdapter` renders into the
platform's send-API requests (stored in the outbox, then delivered by ``adapter.deliver``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import httpx

from threadline.core.types import Channel

InboundKind = Literal[
    "text",  # something the shopper typed (or a button whose text should be said)
    "button",  # a button press whose ``data`` is an action ("add:SKU" or "say:text")
    "contact",  # a phone number the platform vouches for (Telegram: the sender's own contact)
    "foreign_contact",  # a contact card of somebody else: never trusted
    "start",  # the chat was opened (Telegram /start)
    "unsupported",  # a sticker, a location, a voice note … (``what`` names it)
]

# Button actions carried in ``Inbound.data``: add a product to the cart, or say a suggestion.
ADD_PREFIX = "add:"
SAY_PREFIX = "say:"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a shopper did in a chat, as the worker sees it whatever the platform."""

    channel: Channel
    # The platform's id of this event; a redelivery has the same one (the dedupe key).
    external_id: str
    # Where replies go: a WhatsApp wa_id, a Telegram chat id.
    address: str
    kind: InboundKind
    text: str = ""
    data: str = ""
    # The sender's platform id (WhatsApp wa_id, Telegram from.id).
    user_id: str = ""
    # A phone the platform has verified: WhatsApp's wa_id, or a Telegram contact whose
    # user_id is the sender's own.  Never set from anything the sender merely typed.
    phone: str | None = None
    name: str | None = None
    platform_time: datetime | None = None
    # The platform's own order of events, where it has one (Telegram's update_id): breaks ties
    # between messages sent in the same second.
    sequence: int | None = None
    # Telegram: the callback query to acknowledge (stops the button's spinner).
    callback_id: str | None = None
    # For ``unsupported``: what it was ("sticker", "location", …).
    what: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Shallow (every field is a plain value): dataclasses.asdict's deep copy costs ~20x.
        out = {name: getattr(self, name) for name in _FIELDS}
        out["channel"] = self.channel.value
        out["platform_time"] = self.platform_time.isoformat() if self.platform_time else None
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Inbound:
        """Back from the inbox; keys this version doesn't know (a newer writer's) are ignored."""
        values = {k: v for k, v in raw.items() if k in _FIELDS}
        values["channel"] = Channel(values["channel"])
        when = values.get("platform_time")
        values["platform_time"] = datetime.fromisoformat(when) if when else None
        return cls(**values)


_FIELDS = tuple(f.name for f in dataclasses.fields(Inbound))


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A platform's word on a message we sent (WhatsApp status callbacks)."""

    channel: Channel
    platform_message_id: str
    status: str  # sent | delivered | read | failed
    occurred_at: datetime
    recipient: str | None = None
    error: str | None = None


@dataclass(slots=True)
class Outgoing:
    """The answer to one inbound message, before a channel renders it."""

    text: str
    suggestions: list[str] = field(default_factory=list)
    # Products as the API renders them (sku, name, brand, price, mrp, sizes, image_url …);
    # ``image_url`` is absolute (PUBLIC_BASE_URL) or None when the platform could not fetch it.
    products: list[dict[str, Any]] = field(default_factory=list)
    # Ask the shopper to share their phone number (Telegram's request_contact keyboard).
    ask_contact: bool = False


class SendError(Exception):
    """A send the platform refused or that never reached it.

    ``reason`` is one of a few fixed words for the metrics: ``rate_limited``, ``server_error``,
    ``rejected`` (any other refusal), ``unreachable``, ``not_configured`` or ``error``.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        reason: str | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.reason = reason or ("error" if retryable else "rejected")


class ChannelAdapter(Protocol):
    """How one platform's replies are shaped and sent."""

    channel: Channel

    def configured(self) -> bool:
        """True when the settings needed to send are present."""
        ...

    def render(self, inbound: Inbound, reply: Outgoing) -> list[dict[str, Any]]:
        """The send-API requests for ``reply``, in order: ``{"method": str, "body": dict}``."""
        ...

    async def deliver(self, http: httpx.AsyncClient, request: dict[str, Any]) -> str | None:
        """Send one rendered request; the platform's message id, if it gives one.

        Raises :class:`SendError`: ``retryable`` for a 5xx, a 429 (with its retry-after) or a
        network failure; not retryable for any other 4xx.
        """
        ...


def classify_response(response: httpx.Response) -> SendError | None:
    """None for a 2xx; else the :class:`SendError` the status calls for."""
    if response.is_success:
        return None
    status = response.status_code
    detail = response.text[:300]
    if status == 429 or status >= 500:
        retry_after: float | None = None
        header = response.headers.get("retry-after")
        if header and header.strip().isdigit():
            retry_after = float(header.strip())
        return SendError(
            f"HTTP {status}: {detail}",
            retryable=True,
            retry_after=retry_after,
            reason="rate_limited" if status == 429 else "server_error",
        )
    return SendError(f"HTTP {status}: {detail}", retryable=False)
