"""The WhatsApp webhook's refusals (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

from threadline.core.errors import AppError, BadRequest, Unauthorized, Unprocessable


class InvalidSignature(Unauthorized):
    code = "invalid_signature"
    message = "The X-Hub-Signature-256 header is missing or does not match the request body."


class WebhookNotConfigured(Unauthorized):
    # Still a 401, not a 503: without the app secret no caller can be told apart from Meta.
    code = "invalid_signature"
    message = "This server does not accept WhatsApp deliveries: its app secret is not set."


class VerificationFailed(AppError):
    status = 403
    code = "verification_failed"
    message = "The webhook verification request is not valid or its verify token is wrong."


class MalformedJson(BadRequest):
    code = "malformed_json"
    message = "The request body is not valid JSON."


class InvalidPayload(Unprocessable):
    code = "invalid_payload"
    message = "The request body is not a WhatsApp Business Account webhook delivery."
