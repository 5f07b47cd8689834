"""The Telegram channel's adapter: updates in, Bot API requests out.

Every call goes to ``{TELEGRAM_API_BASE}/bot{TELEGRAM_BOT_TOKEN}/{method}`` as JSON.  The token
is part of that URL, so nothing that could carry the URL (an httpx error, the request) is put in
an error message or a log line; messages are scrubbed of the token besides.
"""

from __future__ import annotations

from typing import Any

import httpx
import structlog

from threadline.channels.base import Inbound, Outgoing, SendError, classify_response
from threadline.channels.telegram.inbound import NotAnUpdate, parse_update
from threadline.channels.telegram.render import render
from threadline.config import Settings
from threadline.core.types import Channel

__all__ = ["NotAnUpdate", "TelegramAdapter", "bot_url", "parse_update"]

log = structlog.get_logger()

SEND_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def bot_url(settings: Settings, method: str) -> str:
    token = settings.telegram_bot_token.get_secret_value()
    return f"{settings.telegram_api_base.rstrip('/')}/bot{token}/{method}"


class TelegramAdapter:
    """Renders replies as Bot API calls and sends them (see :class:`ChannelAdapter`)."""

    channel = Channel.telegram

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._token = settings.telegram_bot_token.get_secret_value()

    def configured(self) -> bool:
        return bool(self._token)

    def render(self, inbound: Inbound, reply: Outgoing) -> list[dict[str, Any]]:
        return render(inbound, reply)

    async def deliver(self, http: httpx.AsyncClient, request: dict[str, Any]) -> str | None:
        method = str(request["method"])
        body: dict[str, Any] = request["body"]
        try:
            return await self._call(http, method, body)
        except SendError as exc:
            if method != "sendPhoto" or exc.retryable:
                raise
            # Telegram fetches the photo itself and refuses the call (400) when it cannot; the
            # card still reaches the shopper as text, with its button.
            log.warning("telegram.photo_refused", error=str(exc))
            fallback = {k: v for k, v in body.items() if k not in ("photo", "caption")}
            fallback["text"] = body.get("caption") or "…"
            return await self._call(http, "sendMessage", fallback)

    async def _call(self, http: httpx.AsyncClient, method: str, body: dict[str, Any]) -> str | None:
        if not self._token:
            raise SendError(
                "TELEGRAM_BOT_TOKEN is not set.", retryable=False, reason="not_configured"
            )
        try:
            response = await http.post(
                bot_url(self._settings, method), json=body, timeout=SEND_TIMEOUT
            )
        except httpx.TransportError as exc:
            # str(exc) may name the host but never the path; scrubbed all the same.
            raise SendError(
                self._scrub(f"Telegram {method} unreachable: {type(exc).__name__}: {exc}"),
                retryable=True,
                reason="unreachable",
            ) from None
        payload = _json(response)
        error = classify_response(response)
        if error is not None:
            raise self._refusal(method, error, payload)
        if payload.get("ok") is False:
            raise SendError(self._scrub(f"Telegram {method}: {payload}")[:300], retryable=False)
        result = payload.get("result")
        if isinstance(result, dict) and result.get("message_id") is not None:
            return str(result["message_id"])
        return None

    def _refusal(self, method: str, error: SendError, payload: dict[str, Any]) -> SendError:
        """The HTTP status decides retrying; Telegram's body may say how long to wait."""
        retry_after = error.retry_after
        parameters = payload.get("parameters")
        if isinstance(parameters, dict):
            seconds = parameters.get("retry_after")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
                retry_after = float(seconds)
        return SendError(
            self._scrub(f"Telegram {method}: {error}"),
            retryable=error.retryable,
            retry_after=retry_after if error.retryable else None,
            reason=error.reason,
        )

    def _scrub(self, message: str) -> str:
        return message.replace(self._token, "<token>") if self._token else message


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
