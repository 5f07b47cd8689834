"""Schemathesis hooks that mix real values into generated requests, and the error-body check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response

from tests.conftest import SERVICE_KEY
from tests.ops.fuzz.target import (
    CART_LINE,
    CUSTOMER,
    CUSTOMER_CART,
    CUSTOMER_ID,
    CUSTOMER_PHONE,
    DEVICE,
    GUEST,
    HANDOFF,
    NEW_KEY,
    OTP,
    PASSWORD,
    PASSWORD_PHONE,
    SIGN,
    STAFF,
    TELEGRAM_SECRET,
    WHATSAPP_VERIFY,
    Seeds,
)

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads"
WEBHOOKS = {"/channels/whatsapp/webhook": "whatsapp", "/channels/telegram/webhook": "telegram"}
CHANNELS = ["web", "kiosk", "app", "whatsapp", "telegram"]
STORES = ["ONLINE", "STORE_MUMBAI", "STORE_DELHI", "STORE_PUNE"]
COUPONS = ["WELCOME10", "FLAT200", "FESTIVE15", "SNEAKER500", "FIRST100", "MONSOON20"]
CHAT = [
    "show me blue shirts under 2000",
    "kurta dikhao for my wife",
    "add the second one in M",
    "checkout",
    "pay by upi",
    "where is my order",
    "I want to return my jeans",
]
DROP = object()  # "leave this header out"
# Real values for declared headers, by lower-case name.
HEADER_CHOICES: dict[str, list[Any]] = {
    "x-session-token": [CUSTOMER, CUSTOMER_CART, GUEST, DROP],
    "idempotency-key": [NEW_KEY],
    "x-hub-signature-256": [SIGN, SIGN, DROP],
    "x-telegram-bot-api-secret-token": [TELEGRAM_SECRET],
    "x-customer-id": [CUSTOMER_ID],
    "x-phone": [CUSTOMER_PHONE],
    "x-channel": CHANNELS,
}


def install_hooks(schema: schemathesis.BaseSchema, seeds: Seeds) -> None:
    """Hooks on ``schema`` only (not global), reading ids from ``seeds`` as they draw."""

    @schema.hook("flatmap_headers")
    def credentials(ctx: schemathesis.HookContext, headers: dict[str, Any] | None) -> Any:
        headers = dict(headers or {})
        operation = ctx.operation
        parts: dict[str, st.SearchStrategy[Any]] = {
            # Not declared (dependencies read them), so never generated: drawn here.
            "X-Service-Key": st.sampled_from([DROP, SERVICE_KEY, "not-the-service-key"]),
            "User-Agent": st.sampled_from([DROP, "Mozilla/5.0 (Linux; Android 14)", "é" * 300]),
        }
        for parameter in operation.headers if operation else []:
            if parameter.name.lower() in HEADER_CHOICES:
                generated = headers.get(parameter.name, DROP)
                parts[parameter.name] = _maybe(generated, HEADER_CHOICES[parameter.name.lower()])
        if operation and operation.path.startswith("/admin/"):
            # The dashboard's sign-in is a cookie, which the description does not declare.
            parts["Cookie"] = st.sampled_from([DROP, STAFF, STAFF, "tl_staff=forged"])

        def assemble(chosen: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in {**headers, **chosen}.items() if v is not DROP}

        return st.fixed_dictionaries(parts).map(assemble)

    @schema.hook("flatmap_path_parameters")
    def real_ids(ctx: schemathesis.HookContext, params: dict[str, Any] | None) -> Any:
        choices = {
            "sku": seeds.skus,
            "order_id": seeds.order_ids,
            "line_id": [CART_LINE],
            "device_id": [DEVICE],
        }
        return _walk(params, choices)

    @schema.hook("flatmap_query")
    def real_filters(ctx: schemathesis.HookContext, query: dict[str, Any] | None) -> Any:
        choices = {
            "size": seeds.sizes,
            "q": [*CHAT[:2], "jeans", "saree"],
            "hub.mode": ["subscribe"],
            "hub.verify_token": [WHATSAPP_VERIFY],
        }
        return _walk(query, choices)

    @schema.hook("flatmap_body")
    def real_values(ctx: schemathesis.HookContext, body: Any) -> Any:
        path = ctx.operation.path if ctx.operation else ""
        if path in WEBHOOKS:
            recorded = st.sampled_from(_payloads(WEBHOOKS[path])).flatmap(_mutated)
            return st.one_of(st.just(body), recorded)
        choices = {
            "sku": seeds.skus,
            "size": seeds.sizes,
            "exchange_size": seeds.sizes,
            "channel": CHANNELS,
            "phone": [CUSTOMER_PHONE, "98765 43210", PASSWORD_PHONE, "9123456780"],
            "password": [PASSWORD],
            "current_password": [PASSWORD],
            "new_password": [PASSWORD, "kurta saree 43"],
            "customer_id": [CUSTOMER_ID],
            "store_id": STORES,
            "line_ids": [seeds.order_line_ids[:1], seeds.order_line_ids],
            "message": CHAT,
            "handoff_token": [HANDOFF],
            "code": [OTP] if path == "/auth/otp/verify" else COUPONS,
        }
        return _walk(body, choices)


def contract_error_body(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A schemathesis check: every 4xx is ``{"error": {"code", "message", "field"?}}``."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} without a JSON body") from exc
    error = body.get("error") if isinstance(body, dict) else None
    contract = (
        isinstance(error, dict)
        and set(error) <= {"code", "message", "field"}
        and isinstance(error.get("code"), str)
        and bool(error["code"])
        and isinstance(error.get("message"), str)
        and bool(error["message"])
        and isinstance(error.get("field"), str | None)
    )
    assert contract, f"{response.status_code} without the contract's error body: {body!r}"
    return True


def _maybe(value: Any, choices: list[Any]) -> st.SearchStrategy[Any]:
    """The generated value, or one of the real ones."""
    return st.one_of(st.just(value), st.sampled_from(choices))


def _walk(value: Any, choices: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """``value`` with the keys in ``choices`` (at any depth) sometimes given a real value."""
    if isinstance(value, dict):
        return st.fixed_dictionaries(
            {
                k: _maybe(v, choices[k]) if k in choices else _walk(v, choices)
                for k, v in value.items()
            }
        )
    return st.just(value)


# What a platform, or someone posing as one, might put where a recorded payload has a value
# (only what JSON can carry: no NaN or infinity).
_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _mutated(value: Any) -> st.SearchStrategy[Any]:
    """A recorded payload with, now and then (one in eight), a value swapped for junk or a key
    left out: the shape a parser expects, with the surprises it does not."""
    if isinstance(value, dict):
        items = st.fixed_dictionaries({k: _mutated(v) for k, v in value.items()})
        if not value:
            return items
        dropped = st.integers(0, 7).flatmap(
            lambda n: st.sampled_from(sorted(value)) if n == 0 else st.none()
        )
        return st.tuples(items, dropped).map(lambda p: {k: v for k, v in p[0].items() if k != p[1]})
    if isinstance(value, list):
        return st.tuples(*(_mutated(v) for v in value)).map(list)
    return st.integers(0, 7).flatmap(lambda n: _JUNK if n == 0 else st.just(value))


def _payloads(channel: str) -> list[Any]:
    return [json.loads(p.read_text()) for p in sorted((PAYLOADS / channel).glob("*.json"))]
