"""A Telegram ``Update`` as the worker's :class:`~threadline.channels.base.Inbound` messages.

python-telegram-bot's ``Update.de_json`` reads the payload; this module only decides what each
kind of update means for the shop:

- a text message is ``text``; ``/start`` (with or without a deep-link parameter) is ``start``;
  any other command is said as its word (``/cart`` → ``cart``);
- a button press (``callback_query``) is ``button`` with its callback data (``add:SKU`` or
  ``say:text``) and the query id to acknowledge;
- a contact card whose ``user_id`` is the sender's own is ``contact`` with a verified phone
  (Telegram only lets a user share their own number through a ``request_contact`` button);
  anybody else's card is ``foreign_contact`` and its number is never read;
- a sticker, photo, location, voice note … is ``unsupported``, ``what`` naming it.

Ignored (no message, nothing answered): edits of messages already answered, channel posts and
every other update type, messages from bots, and anything outside a private chat (the shop
serves one shopper per chat; a group's messages would mix customers).  Service messages with
no content (a pinned message, a chat photo change) are ignored too.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Chat, Message, MessageEntity, Update

from threadline.channels.base import Inbound, InboundKind
from threadline.core.clock import clock
from threadline.core.phone import InvalidPhone, normalize_phone
from threadline.core.types import Channel


class NotAnUpdate(ValueError):
    """The JSON is not a Telegram Update (no integer update_id, or a part of the wrong shape)."""


# What a message carries, in the order to check: a venue also carries its location and an
# animation also its document, so the more specific one comes first.
_CONTENT = (
    "sticker",
    "photo",
    "video",
    "video_note",
    "animation",
    "voice",
    "audio",
    "document",
    "venue",
    "location",
    "poll",
    "dice",
    "game",
    "story",
    "invoice",
    "paid_media",
    "passport_data",
)
_MAX_ID = 2**53
_NAMES = {"video_note": "video message", "voice": "voice message", "paid_media": "paid media"}


def parse_update(raw: dict[str, Any]) -> list[Inbound]:
    """The messages in one webhook delivery (Telegram sends one update per call).

    Raises :class:`NotAnUpdate` when ``raw`` cannot be an Update.
    """
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or abs(update_id) >= _MAX_ID:
        raise NotAnUpdate("A Telegram Update has an integer update_id.")
    try:
        update = Update.de_json(raw, None)
        if update.callback_query is not None:
            item = _button(str(update.update_id), update.callback_query)
        elif update.message is not None:
            item = _message(str(update.update_id), update.message)
        else:
            item = None
    except NotAnUpdate:
        raise
    # python-telegram-bot builds its objects without checking types: a missing required field
    # is a TypeError, a field of the wrong type fails wherever it is first used.
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise NotAnUpdate(f"This is not a Telegram Update: {type(exc).__name__}.") from None
    return [item] if item is not None else []


def _button(external_id: str, query: CallbackQuery) -> Inbound | None:
    message = query.message
    # Without a message (an inline-mode button) there is no chat to answer in; without data it
    # is a game button.
    if message is None or query.data is None or query.from_user.is_bot:
        return None
    if message.chat.type != Chat.PRIVATE:
        return None
    _check(message.chat.id, int)
    _check(query.from_user.id, int)
    _check(query.id, str)
    _check(query.data, str)
    return Inbound(
        channel=Channel.telegram,
        external_id=external_id,
        sequence=int(external_id),
        address=str(message.chat.id),
        kind="button",
        data=query.data,
        user_id=str(query.from_user.id),
        name=query.from_user.first_name,
        # A press carries no time of its own (the message's date is when the bot sent it), so
        # its arrival stands in, in whole seconds like a message's date: a text sent in the
        # same second ties with it and the inbox then keeps the order they arrived in.
        platform_time=clock.now().replace(microsecond=0),
        callback_id=query.id,
    )


def _message(external_id: str, message: Message) -> Inbound | None:
    sender = message.from_user
    if sender is None or sender.is_bot or message.chat.type != Chat.PRIVATE:
        return None
    _check(message.chat.id, int)
    _check(sender.id, int)
    _check(sender.first_name, str)
    common: dict[str, Any] = {
        "channel": Channel.telegram,
        "external_id": external_id,
        # Telegram numbers updates in the order they happened: the tie-breaker when they are
        # delivered out of order within one second.
        "sequence": int(external_id),
        "address": str(message.chat.id),
        "user_id": str(sender.id),
        "name": sender.first_name,
        "platform_time": message.date,
    }
    if message.text is not None:
        _check(message.text, str)
        kind, text = _text(message)
        return Inbound(kind=kind, text=text, **common)
    contact = message.contact
    if contact is not None:
        _check(contact.phone_number, str)
        if contact.user_id is None or contact.user_id != sender.id:
            return Inbound(kind="foreign_contact", **common)
        return Inbound(kind="contact", phone=_phone(contact.phone_number), **common)
    what = next((name for name in _CONTENT if getattr(message, name, None)), None)
    if what is None:
        return None
    return Inbound(kind="unsupported", what=_NAMES.get(what, what), **common)


def _check(value: object, kind: type) -> None:
    """The ids and texts the worker relies on have the Bot API's types (bool is no int).

    Telegram's ids have at most 52 significant bits; a larger one would not fit the store.
    """
    if not isinstance(value, kind) or isinstance(value, bool):
        raise NotAnUpdate(f"This is not a Telegram Update: a {kind.__name__} field is not one.")
    if isinstance(value, int) and abs(value) >= _MAX_ID:
        raise NotAnUpdate("This is not a Telegram Update: an id is out of range.")


def _text(message: Message) -> tuple[InboundKind, str]:
    text = message.text or ""
    command = next(
        (
            e
            for e in message.entities
            if e.type == MessageEntity.BOT_COMMAND
            and e.offset == 0
            and isinstance(e.length, int)
            and 1 < e.length <= len(text)
        ),
        None,
    )
    if command is None:
        return "text", text
    # "/start@ShopBot payload": the command's word, without the bot's name.
    word = text[1 : command.length].split("@", 1)[0].lower()
    rest = text[command.length :].strip()
    if word == "start":
        return "start", text
    return "text", f"{word} {rest}".strip()


def _phone(raw: str) -> str | None:
    """The contact's number in E.164, or None if it cannot be one.

    Telegram gives the full international number, usually without its ``+``; read without it,
    a foreign number would be taken for an Indian one.
    """
    digits = raw.strip()
    try:
        return normalize_phone(digits if digits.startswith("+") else "+" + digits)
    except InvalidPhone:
        return None
