"""``/channels/whatsapp/webhook``: Meta's verification call and the WhatsApp Cloud API deliveries.

- ``GET``: Meta checks the callback URL with ``hub.mode=subscribe``, ``hub.verify_token`` and
  ``hub.challenge``; the challenge is echoed as text when the token is ``WHATSAPP_VERIFY_TOKEN``.
- ``POST``: a delivery is signed by Meta with the app secret (``X-Hub-Signature-256:
  sha256=<HMAC-SHA256 of the raw body>``).  The signature is checked over the bytes as they
  arrived, before anything is parsed; then the messages and status reports are stored in the
  channel inbox (a redelivered message id is stored once) and the call is answered at once.
  The reply is sent by the channel worker.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ValidationError

from threadline.channels import inbox
from threadline.channels.whatsapp.adapter import parse
from threadline.channels.whatsapp.errors import (
    InvalidPayload,
    InvalidSignature,
    MalformedJson,
    VerificationFailed,
    WebhookNotConfigured,
)
from threadline.channels.whatsapp.payloads import WebhookPayload
from threadline.config import Settings
from threadline.core import metrics
from threadline.core.errors import AppError

log = structlog.get_logger()

router = APIRouter(prefix="/channels/whatsapp", tags=["channels"])

SIGNATURE_PREFIX = "sha256="


class WebhookAck(BaseModel):
    ok: bool = True


# What the webhook failures metric calls each refusal (two of them share a response code).
_FAILURE_REASONS: dict[type[AppError], str] = {
    WebhookNotConfigured: "not_configured",
    InvalidSignature: "bad_signature",
    MalformedJson: "malformed_json",
    InvalidPayload: "invalid_payload",
}


def _count_failure(exc: AppError) -> None:
    reason = _FAILURE_REASONS.get(type(exc), "other")
    metrics.WEBHOOK_FAILURES.labels(channel="whatsapp", reason=reason).inc()


def verify_signature(settings: Settings, raw: bytes, header: str | None) -> None:
    """Raise unless ``header`` is ``sha256=`` + the HMAC-SHA256 of ``raw`` with the app secret."""
    secret = settings.whatsapp_app_secret.get_secret_value()
    if not secret:
        raise WebhookNotConfigured()
    given = (header or "").strip()
    if not given.lower().startswith(SIGNATURE_PREFIX):
        raise InvalidSignature()
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    # Constant time: the comparison must not tell a caller how much of a guess was right.
    if not hmac.compare_digest(given[len(SIGNATURE_PREFIX) :].lower().encode(), expected.encode()):
        raise InvalidSignature()


def _error_doc(code: str, text: str) -> dict[str, Any]:
    return {
        "description": f"{code}: {text}",
        "content": {
            "application/json": {
                "example": {"error": {"code": code, "message": text}},
            }
        },
    }


@router.get(
    "/webhook",
    summary="Verify the WhatsApp webhook (Meta's subscription check)",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "The hub.challenge, echoed as text",
            "content": {"text/plain": {"schema": {"type": "string"}, "example": "1158201444"}},
        },
        403: _error_doc(
            "verification_failed",
            "hub.mode is not subscribe, or hub.verify_token is missing, wrong or not configured",
        ),
    },
)
async def verify_webhook(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode", description="Always `subscribe`.")] = None,
    verify_token: Annotated[
        str | None,
        Query(alias="hub.verify_token", description="Must equal WHATSAPP_VERIFY_TOKEN."),
    ] = None,
    challenge: Annotated[
        str | None,
        Query(alias="hub.challenge", description="Echoed back when the token matches."),
    ] = None,
) -> PlainTextResponse:
    """Answer Meta's verification of this callback URL with its challenge.

    Refused (403) when the verify token is not the one configured in ``WHATSAPP_VERIFY_TOKEN``,
    and always when that setting is empty.
    """
    settings: Settings = request.app.state.settings
    expected = settings.whatsapp_verify_token.get_secret_value()
    given = verify_token or ""
    # Evaluated in full whatever the mode, so timing says nothing about the token.
    token_ok = hmac.compare_digest(given.encode(), expected.encode())
    if not expected or not token_ok or mode != "subscribe" or not challenge:
        log.warning("whatsapp.verification_refused", mode=mode)
        metrics.WEBHOOK_FAILURES.labels(channel="whatsapp", reason="verification_refused").inc()
        raise VerificationFailed()
    log.info("whatsapp.verified")
    return PlainTextResponse(challenge)


_DELIVERY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A WhatsApp Business Account webhook delivery, signed by Meta.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components",
                    "required": ["object", "entry"],
                    "properties": {
                        "object": {"type": "string", "enum": ["whatsapp_business_account"]},
                        "entry": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "changes": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "field": {"type": "string"},
                                                "value": {
                                                    "type": "object",
                                                    "description": "messaging_product, metadata, contacts, messages, statuses, errors",
                                                    "additionalProperties": True,
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                    "additionalProperties": True,
                },
                "example": {
                    "object": "whatsapp_business_account",
                    "entry": [
                        {
                            "id": "102290129340398",
                            "changes": [
                                {
                                    "field": "messages",
                                    "value": {
                                        "messaging_product": "whatsapp",
                                        "metadata": {
                                            "display_phone_number": "15550783881",
                                            "phone_number_id": "106540352242922",
                                        },
                                        "contacts": [
                                            {"profile": {"name": "Asha"}, "wa_id": "919876543210"}
                                        ],
                                        "messages": [
                                            {
                                                "from": "919876543210",
                                                "id": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhgUM0VCMDRCNkE2QjE3",
                                                "timestamp": "1770906600",
                                                "type": "text",
                                                "text": {"body": "show me shirts"},
                                            }
                                        ],
                                    },
                                }
                            ],
                        }
                    ],
                },
            }
        },
    }
}


@router.post(
    "/webhook",
    summary="Receive WhatsApp messages and delivery statuses",
    response_model=WebhookAck,
    responses={
        400: _error_doc("malformed_json", "the body is not JSON (its signature was right)"),
        401: _error_doc(
            "invalid_signature",
            "X-Hub-Signature-256 is missing or wrong, or WHATSAPP_APP_SECRET is not set",
        ),
        413: _error_doc("payload_too_large", "the body is larger than MAX_BODY_BYTES"),
        422: _error_doc("invalid_payload", "the JSON is not a WhatsApp webhook delivery"),
    },
    openapi_extra=_DELIVERY_BODY,
)
async def whatsapp_webhook(
    request: Request,
    x_hub_signature_256: Annotated[
        str | None,
        Header(description="`sha256=` + the hex HMAC-SHA256 of the raw body with the app secret."),
    ] = None,
) -> WebhookAck:
    """Store the shoppers' messages and the status reports of the shop's replies.

    The signature is checked over the raw body before anything else; a delivery that fails it
    is refused (401) and nothing of it is kept.  Answered with 200 as soon as the delivery is
    stored; the replies follow through the Cloud API.  A redelivered message (same id) is
    stored, and so answered, once.  Changes the shop does not serve (template reviews, account
    updates) and reactions are acknowledged and dropped, so Meta does not redeliver them.
    """
    settings: Settings = request.app.state.settings
    raw = await request.body()
    try:
        payload = _authenticated_payload(settings, raw, x_hub_signature_256)
    except AppError as refused:
        _count_failure(refused)
        raise
    messages, statuses = parse(payload, settings.whatsapp_phone_number_id)
    accepted = await inbox.accept(request.app.state, messages, statuses)
    metrics.WEBHOOK_DELIVERIES.labels(channel="whatsapp").inc()
    log.info(
        "whatsapp.delivery",
        messages=len(messages),
        statuses=len(statuses),
        accepted=accepted,
    )
    return WebhookAck()


def _authenticated_payload(settings: Settings, raw: bytes, signature: str | None) -> WebhookPayload:
    """The delivery, once its signature is right and it parses; the refusal's error if not."""
    verify_signature(settings, raw, signature)
    try:
        return WebhookPayload.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        first = errors[0] if errors else {"type": "", "loc": (), "msg": ""}
        if first["type"] == "json_invalid":
            raise MalformedJson() from None
        field = ".".join(str(part) for part in first["loc"]) or None
        message = InvalidPayload.message
        if field:
            message = f"{message} {field}: {first['msg']}."
        raise InvalidPayload(message, field=field) from None
