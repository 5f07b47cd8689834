"""The WhatsApp channel's adapter: webhook deliveries in, Cloud API ``/messages`` calls out.

Reading a delivery (:func:`parse`):

- ``text`` is ``text``; a tap on a reply button or a list row we sent (``interactive``
  ``button_reply`` / ``list_reply``) is ``button`` with the reply id (``add:SKU`` /
  ``say:text``) as ``data`` and its title as ``text``; a template's quick-reply button is said
  as its text (or, when its payload is one of our actions, is that action);
- ``request_welcome`` (the shopper opened the chat for the first time) is ``start``;
- a photo, sticker, location, voice note, video, document, contact card, a WhatsApp Flow's
  answer, or a message WhatsApp itself could not pass on (``unsupported`` / ``unknown``, error
  131051) is ``unsupported``, ``what`` naming it.  A photo is ``unsupported`` even with a
  caption: "do you have this in blue?" cannot be answered without seeing it, and the caption
  alone would be answered as if it were the whole question;
- reactions (an emoji on one of our messages, or its removal) and ``system`` notices (the user
  changed number) are not messages to answer and are dropped;
- ``statuses`` become :class:`StatusReport` (sent, delivered, read, failed …).

Every message's ``address`` and ``user_id`` are the sender's ``wa_id`` and its ``phone`` is
``+wa_id`` in E.164: WhatsApp has verified the number, and the delivery is signed (the
phone-only override of the contract).  Messages to another business number than
``WHATSAPP_PHONE_NUMBER_ID`` (when set) are not ours to answer from this one and are dropped.

Sending (:meth:`WhatsAppAdapter.deliver`): ``POST {WHATSAPP_API_BASE}/{phone_number_id}/messages``
with the access token as a Bearer header, never logged nor put in an error message.
"""

from __future__ import annotations

from typing import Any

import httpx
import structlog

from threadline.channels.base import (
    ADD_PREFIX,
    SAY_PREFIX,
    Inbound,
    Outgoing,
    SendError,
    StatusReport,
    classify_response,
)
from threadline.channels.whatsapp.payloads import Message, Value, WebhookPayload
from threadline.channels.whatsapp.render import render
from threadline.config import Settings
from threadline.core.phone import InvalidPhone, mask_phone, normalize_phone
from threadline.core.types import Channel

__all__ = ["WhatsAppAdapter", "messages_url", "parse"]

log = structlog.get_logger()

SEND_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# What an unreadable message is called in the reply ("I can't open a {what} here yet").
_MEDIA_NAMES = {
    "image": "photo",
    "sticker": "sticker",
    "video": "video",
    "document": "document",
    "location": "location",
    "contacts": "contact card",
    "order": "catalogue order",
}
_UNREADABLE = "message of that kind"
# Not messages to answer: an emoji on one of ours (or taken off), a "changed number" notice.
_IGNORED = {"reaction", "system"}
# Meta error codes that mean "try again later" even when the HTTP status is a 400: rate limits
# (4, 80007, 130429, 131056 per recipient) and temporary failures (1, 2, 131000, 131016, 133004).
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004})


def messages_url(settings: Settings) -> str:
    return f"{settings.whatsapp_api_base.rstrip('/')}/{settings.whatsapp_phone_number_id}/messages"


def parse(
    body: WebhookPayload, phone_number_id: str = ""
) -> tuple[list[Inbound], list[StatusReport]]:
    """The messages to answer and the status reports in one delivery, each once.

    ``phone_number_id``: the business number this server answers for; changes addressed to
    another number are skipped (empty: every change is read).
    """
    inbound: dict[str, Inbound] = {}
    statuses: dict[tuple[str, str], StatusReport] = {}
    for entry in body.entry:
        for change in entry.changes:
            value = change.value
            if change.field != "messages" or value is None:
                continue
            if phone_number_id and value.metadata.phone_number_id not in ("", phone_number_id):
                log.warning(
                    "whatsapp.other_number",
                    phone_number_id=value.metadata.phone_number_id,
                    messages=len(value.messages),
                )
                continue
            for error in value.errors:
                log.warning("whatsapp.webhook_error", error=error.describe())
            for message in value.messages:
                item = _inbound(value, message)
                if item is not None:
                    inbound.setdefault(item.external_id, item)
            for status in value.statuses:
                report = StatusReport(
                    channel=Channel.whatsapp,
                    platform_message_id=status.id,
                    status=status.status,
                    occurred_at=status.occurred_at,
                    recipient=status.recipient_id,
                    error=status.errors[0].describe()[:500] if status.errors else None,
                )
                statuses.setdefault((report.platform_message_id, report.status), report)
    return list(inbound.values()), list(statuses.values())


def _inbound(value: Value, message: Message) -> Inbound | None:
    wa_id = (message.from_ or "").strip()
    if not wa_id or message.type in _IGNORED:
        return None
    common: dict[str, Any] = {
        "channel": Channel.whatsapp,
        "external_id": message.id,
        "address": wa_id,
        "user_id": wa_id,
        "phone": _phone(wa_id),
        "name": _name(value, wa_id),
        "platform_time": message.sent_at,
    }
    kind = message.type
    if kind == "text" and message.text is not None:
        return Inbound(kind="text", text=message.text.body, **common)
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None:
            return Inbound(kind="button", data=reply.id, text=reply.title, **common)
        return Inbound(kind="unsupported", what="form reply", **common)
    if kind == "button" and message.button is not None:
        payload = message.button.payload or ""
        if payload.startswith((ADD_PREFIX, SAY_PREFIX)):
            return Inbound(kind="button", data=payload, text=message.button.text, **common)
        return Inbound(kind="text", text=message.button.text or payload, **common)
    if kind == "request_welcome":
        return Inbound(kind="start", **common)
    if kind == "audio":
        voice = message.audio is not None and bool(message.audio.voice)
        return Inbound(
            kind="unsupported", what="voice message" if voice else "audio clip", **common
        )
    return Inbound(kind="unsupported", what=_MEDIA_NAMES.get(kind, _UNREADABLE), **common)


def _phone(wa_id: str) -> str | None:
    try:
        return normalize_phone("+" + wa_id)
    except InvalidPhone:
        # WhatsApp's ids are phone numbers; one that is not cannot name a customer.
        log.warning("whatsapp.wa_id_not_a_phone", wa_id=mask_phone(wa_id))
        return None


def _name(value: Value, wa_id: str) -> str | None:
    for contact in value.contacts:
        if contact.wa_id == wa_id and contact.profile is not None:
            return contact.profile.name
    if len(value.contacts) == 1 and value.contacts[0].profile is not None:
        return value.contacts[0].profile.name
    return None


class WhatsAppAdapter:
    """Renders replies as Cloud API messages and sends them (see :class:`ChannelAdapter`)."""

    channel = Channel.whatsapp

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._token = settings.whatsapp_access_token.get_secret_value()
        self._url = messages_url(settings)

    def configured(self) -> bool:
        return bool(self._token and self._settings.whatsapp_phone_number_id)

    def render(self, inbound: Inbound, reply: Outgoing) -> list[dict[str, Any]]:
        return render(inbound, reply)

    async def deliver(self, http: httpx.AsyncClient, request: dict[str, Any]) -> str | None:
        if not self.configured():
            raise SendError(
                "WHATSAPP_ACCESS_TOKEN or WHATSAPP_PHONE_NUMBER_ID is not set.",
                retryable=False,
                reason="not_configured",
            )
        body: dict[str, Any] = request["body"]
        try:
            response = await http.post(
                self._url,
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=SEND_TIMEOUT,
            )
        except httpx.TransportError as exc:
            raise SendError(
                self._scrub(f"WhatsApp unreachable: {type(exc).__name__}: {exc}")[:300],
                retryable=True,
                reason="unreachable",
            ) from None
        payload = _json(response)
        error = classify_response(response)
        if error is not None:
            raise self._refusal(response, error, payload)
        messages = payload.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            message_id = messages[0].get("id")
            return str(message_id) if message_id else None
        return None

    def _refusal(
        self, response: httpx.Response, error: SendError, payload: dict[str, Any]
    ) -> SendError:
        """The HTTP status decides retrying, except for Meta's rate-limit and try-later codes."""
        details = payload.get("error")
        code: int | None = None
        text = str(error)
        if isinstance(details, dict):
            raw_code = details.get("code")
            code = (
                raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
            )
            message = str(details.get("message") or "")
            data = details.get("error_data")
            if isinstance(data, dict) and data.get("details"):
                message = f"{message} ({data['details']})" if message else str(data["details"])
            text = f"WhatsApp HTTP {response.status_code} [{code}]: {message}"
        retryable = error.retryable or code in RETRYABLE_CODES
        return SendError(
            self._scrub(text)[:300],
            retryable=retryable,
            retry_after=error.retry_after if retryable else None,
            # Meta's try-later codes come with a 4xx: they are rate limits, not refusals.
            reason="rate_limited" if retryable and not error.retryable else error.reason,
        )

    def _scrub(self, message: str) -> str:
        return message.replace(self._token, "<token>") if self._token else message


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
