"""``POST /channels/telegram/webhook``: Telegram's updates for the shop's bot.

The call is authenticated by the secret Telegram echoes in ``X-Telegram-Bot-Api-Secret-Token``
(the one given to ``setWebhook``; see ``threadline telegram set-webhook``), checked before the
body is read.  The update is stored in the channel inbox and the call answered at once; the
reply is sent by the channel worker.  A redelivered update (same ``update_id``) is stored once.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from threadline.channels import inbox
from threadline.channels.telegram.errors import (
    InvalidUpdate,
    InvalidWebhookSecret,
    MalformedJson,
    WebhookNotConfigured,
)
from threadline.channels.telegram.inbound import NotAnUpdate, parse_update
from threadline.config import Settings
from threadline.core import metrics

log = structlog.get_logger()

router = APIRouter(prefix="/channels/telegram", tags=["channels"])


class WebhookAck(BaseModel):
    """``{"ok": true}``; for a button press, the ``answerCallbackQuery`` call instead."""

    ok: bool = True


def verify_secret(
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[
        str | None,
        Header(description="The secret given to setWebhook, echoed by Telegram on every call."),
    ] = None,
) -> None:
    settings: Settings = request.app.state.settings
    expected = settings.telegram_webhook_secret.get_secret_value()
    if not expected:
        _count_failure("not_configured")
        raise WebhookNotConfigured()
    given = x_telegram_bot_api_secret_token or ""
    # Constant time: the comparison must not tell a caller how much of a guess was right.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        _count_failure("bad_secret")
        raise InvalidWebhookSecret()


def _count_failure(reason: str) -> None:
    metrics.WEBHOOK_FAILURES.labels(channel="telegram", reason=reason).inc()


_UPDATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A Telegram Bot API Update (https://core.telegram.org/bots/api#update).",
                    "required": ["update_id"],
                    "properties": {"update_id": {"type": "integer"}},
                    "additionalProperties": True,
                }
            }
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "malformed_json: the body is not JSON"},
    401: {
        "description": "invalid_webhook_secret: the secret header is missing or wrong, or none is configured"
    },
    413: {"description": "payload_too_large"},
    422: {"description": "invalid_update: the JSON is not a Telegram Update"},
}


@router.post(
    "/webhook",
    summary="Receive a Telegram update",
    response_model=WebhookAck,
    responses=_ERRORS,
    dependencies=[Depends(verify_secret)],
    openapi_extra=_UPDATE_BODY,
)
async def telegram_webhook(request: Request) -> Any:
    """Store a private chat's message, button press or shared contact for the shop's bot.

    Answered with 200 as soon as the update is stored; the bot's reply follows through the Bot
    API.  A button press is acknowledged in this answer itself (Telegram runs the
    ``answerCallbackQuery`` given in a webhook's response), so the button stops spinning at
    once, however long the reply takes.  Updates the shop does not serve (group chats, edits,
    channel posts) are acknowledged and dropped, so Telegram does not redeliver them.
    """
    try:
        raw = await request.json()
    # Not JSON, not UTF-8, or nested deeper than the parser goes (a RecursionError).
    except (ValueError, RecursionError):
        _count_failure("malformed_json")
        raise MalformedJson() from None
    if not isinstance(raw, dict):
        _count_failure("invalid_payload")
        raise InvalidUpdate()
    try:
        items = parse_update(raw)
    except NotAnUpdate as exc:
        _count_failure("invalid_payload")
        raise InvalidUpdate(str(exc)) from None
    accepted = await inbox.accept(request.app.state, items) if items else 0
    metrics.WEBHOOK_DELIVERIES.labels(channel="telegram").inc()
    log.info(
        "telegram.update",
        update_id=raw.get("update_id"),
        kind=items[0].kind if items else None,
        accepted=accepted,
    )
    press = next((i.callback_id for i in items if i.callback_id), None)
    if press is not None:
        return JSONResponse({"method": "answerCallbackQuery", "callback_query_id": press})
    return WebhookAck()
