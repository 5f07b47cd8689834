"""The fuzzed server's data and credentials: seeding it, and making placeholders real."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
from schemathesis import Case, Response
from schemathesis.generation.meta import TestPhase

from tests.conftest import SERVICE_KEY
from tests.e2e.test_server_process import THREADLINE

WHATSAPP_SECRET = "fuzz-whatsapp-app-secret"
WHATSAPP_VERIFY = "fuzz-whatsapp-verify-token"
TELEGRAM_SECRET = "fuzz-telegram-webhook-secret"
SERVER_ENV = {
    "WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
    "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY,
    "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    "TELEGRAM_BOT_TOKEN": "123456:fuzz",
    # Replies to fuzzed messages go nowhere, fast, instead of to Meta or Telegram.
    "WHATSAPP_API_BASE": "http://127.0.0.1:9",
    "TELEGRAM_API_BASE": "http://127.0.0.1:9",
    "CHANNEL_SEND_ATTEMPTS": "1",
    # Cheap hashing: the fuzz signs up and logs in hundreds of times.
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "1024",
    "ACCESS_LOG": "false",
}
CUSTOMER_PHONE, CUSTOMER_ID = "+919876543210", "C10001"  # the demo data's first customer
PASSWORD_PHONE, PASSWORD = "+919812300001", "kurta saree 42"  # signed up by `Fuzz.seed`
STAFF_USER, STAFF_PASSWORD = "fuzz-staff", "dashboard figures 42"  # see `create_staff`
ADDRESS = {"line1": "12 Hill Road", "city": "Mumbai", "pincode": "400050"}

# Placeholders drawn by the hooks and made real by `Fuzz.prepare` just before the call.
CUSTOMER, CUSTOMER_CART, GUEST = "fuzz:customer", "fuzz:customer-with-cart", "fuzz:guest"
HANDOFF, OTP, NEW_KEY, STAFF = "fuzz:handoff", "fuzz:otp", "fuzz:new-key", "fuzz:staff"
CART_LINE, DEVICE, SIGN = "fuzz:cart-line", "fuzz:device", "fuzz:sign"
# Headers a coverage-phase case gets when it lacks them (see `_credit_coverage_case`).
COVERAGE_CREDENTIALS = {
    "x-session-token": CUSTOMER_CART,
    "idempotency-key": NEW_KEY,
    "x-hub-signature-256": SIGN,
    "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
}


@dataclass
class Seeds:
    """Ids that exist in the store being fuzzed (filled by `Fuzz.seed`, read by the hooks)."""

    skus: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    order_line_ids: list[str] = field(default_factory=list)


class Fuzz:
    """A running server under fuzz: its seeds, the fuzz's HTTP session and a helper client."""

    def __init__(self, base: str, *, outbox: Path, seeds: Seeds) -> None:
        self.base, self.outbox, self.seeds = base, outbox, seeds
        self.http = SigningSession()
        self.outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # The fuzz is one abusive client that soon meets the sign-in throttles (429); the helper
        # that mints credentials is another (the server trusts X-Forwarded-For from localhost).
        helper = {"X-Forwarded-For": "198.51.100.7"}
        self._api = httpx.Client(base_url=base, timeout=30, headers=helper)

    def close(self) -> None:
        self._api.close()
        self.http.close()

    def seed(self) -> None:
        """Products of the demo catalog; two orders of the demo customer (one delivered, so it
        can be returned); a customer with a password, and an order of hers."""
        products = _ok(self._api.get("/products", params={"limit": 40}))["items"]
        self.seeds.skus[:] = [p["sku"] for p in products]
        self.seeds.sizes[:] = sorted({s for p in products for s in p["sizes"]})
        self.seeds.order_ids.clear()
        self.seeds.order_line_ids.clear()
        token = self.customer_token()
        delivered = self._order(token, products[0])
        for status in ("shipped", "delivered"):
            body = {"status": status}
            key = {"X-Service-Key": SERVICE_KEY}
            _ok(self._api.post(f"/orders/{delivered}/status", json=body, headers=key))
        self._order(token, products[1])
        signup = {"phone": PASSWORD_PHONE, "password": PASSWORD, "name": "Fuzz Shopper"}
        self._order(_ok(self._api.post("/auth/signup", json=signup))["session_token"], products[2])

    def _order(self, token: str, product: dict[str, Any]) -> str:
        headers = {"X-Session-Token": token}
        line = {"sku": product["sku"], "size": product["sizes"][0]}
        _ok(self._api.post("/cart/items", json=line, headers=headers))
        body = {"payment_method": "upi", "fulfillment": {"type": "delivery", "address": ADDRESS}}
        key = {"Idempotency-Key": f"fuzz-seed-{uuid.uuid4()}"}
        order = _ok(self._api.post("/checkout", json=body, headers={**headers, **key}))
        self.seeds.order_ids.append(order["order_id"])
        self.seeds.order_line_ids.extend(line["line_id"] for line in order["items"])
        return str(order["order_id"])

    def record(self, case: Case, response: Response) -> None:
        """Count answers by status and error code (``FUZZ_STATS=1`` prints them)."""
        outcome = str(response.status_code)
        if response.status_code >= 400:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                outcome += " " + response.json()["error"]["code"]
        self.outcomes[case.operation.label][outcome] += 1

    # --- live credentials ---------------------------------------------------------------------

    def customer_token(self) -> str:
        """A new device token of the demo customer.

        The service-key restore needs no password, but only joins an active session; the fuzz
        may have logged every device out (then start one) and given the customer a password
        (then log in with a one-time code)."""
        identity = {"X-Service-Key": SERVICE_KEY, "X-Customer-Id": CUSTOMER_ID, "X-Channel": "web"}
        response = self._api.post("/session/restore", headers=identity)
        body = {"phone": CUSTOMER_PHONE, "channel": "web"}
        if response.status_code == 404:
            response = self._api.post("/session/start", json=body)
        if response.status_code == 401:
            body["code"] = self._otp(CUSTOMER_PHONE)
            response = self._api.post("/auth/otp/verify", json=body)
        return str(_ok(response)["session_token"])

    def guest_token(self) -> str:
        return str(
            _ok(self._api.post("/session/guest", json={"channel": "kiosk"}))["session_token"]
        )

    def staff_cookie(self) -> str:
        """A new dashboard sign-in of the staff user (the fuzz signs staff out too)."""
        body = {"username": STAFF_USER, "password": STAFF_PASSWORD}
        response = self._api.post("/admin/api/login", json=body)
        _ok(response)
        return str(response.cookies["tl_staff"])

    def prepare(self, case: Case) -> None:
        """Make the placeholders the hooks drew real."""
        if case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE:
            _credit_coverage_case(case)
        token: str | None = None
        for name, value in list((case.headers or {}).items()):
            if value in (CUSTOMER, CUSTOMER_CART):
                token = case.headers[name] = self.customer_token()
                if value == CUSTOMER_CART:
                    self._cart_line(token)
            elif value == GUEST:
                token = case.headers[name] = self.guest_token()
            elif value == NEW_KEY:
                case.headers[name] = f"fuzz-{uuid.uuid4()}"
            elif value == STAFF:
                case.headers[name] = f"tl_staff={self.staff_cookie()}"
            elif name.lower() == "x-session-token":
                token = value
        params = case.path_parameters or {}
        if params.get("line_id") == CART_LINE:
            params["line_id"] = self._cart_line(token)
        if params.get("device_id") == DEVICE:
            params["device_id"] = self._device(token)
        if isinstance(case.body, dict):
            if case.body.get("handoff_token") == HANDOFF:
                case.body["handoff_token"] = self._handoff()
            if case.body.get("code") == OTP:
                case.body["code"] = self._otp(case.body.get("phone"))

    def _cart_line(self, token: str | None) -> str:
        """A line of the session's cart (one is added to an empty cart)."""
        headers = {"X-Session-Token": token or ""}
        cart = self._api.get("/cart", headers=headers)
        if cart.is_success and not cart.json()["items"]:
            line = {"sku": self.seeds.skus[0], "size": None}
            cart = self._api.post("/cart/items", json=line, headers=headers)
        if cart.is_success and cart.json()["items"]:
            return str(cart.json()["items"][0]["line_id"])
        return "no-cart-line"

    def _device(self, token: str | None) -> str:
        devices = self._api.get("/auth/sessions", headers={"X-Session-Token": token or ""})
        if devices.is_success and devices.json()["devices"]:
            return str(devices.json()["devices"][-1]["id"])
        return "no-device"

    def _handoff(self) -> str:
        headers = {"X-Session-Token": self.customer_token()}
        return str(_ok(self._api.post("/session/handoff", headers=headers))["handoff_token"])

    def _otp(self, phone: object) -> str:
        """The code just sent to ``phone`` (requested here, read from the dev outbox)."""
        if not isinstance(phone, str):
            return "000000"
        sent = self._api.post("/auth/otp/request", json={"phone": phone, "channel": "web"})
        if not sent.is_success or not self.outbox.exists():
            return "000000"
        last = self.outbox.read_text(encoding="utf-8").splitlines()[-1]
        return str(json.loads(last).get("code", "000000"))


def _ok(response: httpx.Response) -> Any:
    assert response.is_success, f"{response.request.url}: {response.text}"
    return response.json()


def _credit_coverage_case(case: Case) -> None:
    """Give a coverage-phase case the credentials it lacks.

    That phase walks each parameter and body field through its boundary values (explicit
    examples, which the generation hooks do not see); without credentials they would all stop
    at a 401 before reaching the code they are meant to probe.  A case whose point is this very
    header (missing, empty, of the wrong type) keeps it as it is."""
    data = case.meta.phase.data if case.meta is not None else None
    target = (getattr(data, "parameter", None) or "").lower()
    if case.headers is None:
        case.headers = {}
    # The phase gives a header it is not probing its plainest value: "" or "null".
    present = {name.lower() for name, value in case.headers.items() if value not in ("", "null")}
    declared = {p.name.lower() for p in case.operation.headers}
    wanted = {**COVERAGE_CREDENTIALS, "x-service-key": SERVICE_KEY}
    if case.operation.path.startswith("/admin/"):
        wanted["cookie"] = STAFF
    for name, value in wanted.items():
        if name == target or name in present:
            continue
        if name in declared or name in ("x-service-key", "cookie"):
            for existing in [h for h in case.headers if h.lower() == name]:
                del case.headers[existing]
            case.headers[name] = value


class SigningSession(requests.Session):
    """Signs a WhatsApp delivery whose signature header is the placeholder: the HMAC is over the
    exact bytes sent, which exist only once the request is prepared."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if request.headers.get("x-hub-signature-256") == SIGN:
            body = request.body or b""
            raw = body.encode() if isinstance(body, str) else body
            digest = hmac.new(WHATSAPP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            request.headers["x-hub-signature-256"] = f"sha256={digest}"
        return super().send(request, **kwargs)


def create_staff(database_url: str) -> None:
    """The dashboard's staff user, made the way an operator makes one (``threadline staff``)."""
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    subprocess.run(
        [THREADLINE, "staff", "create", STAFF_USER, "--password-stdin"],
        input=f"{STAFF_PASSWORD}\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
