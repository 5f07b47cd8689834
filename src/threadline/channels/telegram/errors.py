"""The Telegram webhook's refusals (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

from threadline.core.errors import BadRequest, Unauthorized, Unprocessable


class InvalidWebhookSecret(Unauthorized):
    code = "invalid_webhook_secret"
    message = "The X-Telegram-Bot-Api-Secret-Token header is missing or wrong."


class WebhookNotConfigured(Unauthorized):
    # Still a 401, not a 503: without a secret no caller can be told apart from Telegram.
    code = "invalid_webhook_secret"
    message = "This server does not accept Telegram updates: its webhook secret is not set."


class MalformedJson(BadRequest):
    code = "malformed_json"
    message = "The request body is not valid JSON."


class InvalidUpdate(Unprocessable):
    code = "invalid_update"
    message = "The request body is not a Telegram Update."
