"""Helpers for the browser tests: the server under test, console watching, logging in."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = "Chromium is not installed: `apt-get install chromium` to run the browser tests"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE_VIEWPORT = {"width": 390, "height": 844}
# Chromium reports every HTTP error response as a console error of its own ("Failed to load
# resource: … status of 404"), whatever the page does with it.  A test names the API answers it
# provokes on purpose (a wrong password, a declined card); any other console error fails it.
_NETWORK = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})")
# …and a request that got no answer at all (a test cuts it off on purpose: ``unreachable``).
_NO_ANSWER = re.compile(r"^Failed to load resource: net::ERR_")


@dataclass
class Site:
    """A running ``threadline serve`` and an HTTP client for it."""

    base: str
    data_dir: Path
    http: httpx.Client

    @property
    def outbox(self) -> Path:
        return self.data_dir / "dev-outbox.jsonl"

    def session(self, token: str) -> httpx.Response:
        return self.http.get("/session", headers={"X-Session-Token": token})

    def restore(self, token: str) -> httpx.Response:
        return self.http.post("/session/restore", headers={"X-Session-Token": token})

    def otp_code(self, phone: str, timeout: float = 5.0) -> str:
        """The newest login code the dev outbox holds for ``phone``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.exists():
                lines = self.outbox.read_text(encoding="utf-8").splitlines()
                codes = [json.loads(x)["code"] for x in lines if json.loads(x)["to"] == phone]
                if codes:
                    return str(codes[-1])
            time.sleep(0.05)
        raise AssertionError(f"no code was sent to {phone}")


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of the pages of one test."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append((f"uncaught: {exc}", page.url)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append((message.text, message.location.get("url", "")))
        elif message.type == "info":
            self.info.append(message.text)

    def assert_clean(
        self, expected: set[tuple[str, int]] | None = None, unreachable: set[str] | None = None
    ) -> None:
        """No console error, except Chromium's note on the API answers listed in ``expected``
        as (path, status), and on the requests to the paths in ``unreachable`` cut off."""
        allowed = expected or set()
        unanswered = unreachable or set()
        unexpected = []
        for text, url in self.errors:
            match = _NETWORK.match(text)
            if match and (urlparse(url).path, int(match.group(1))) in allowed:
                continue
            if _NO_ANSWER.match(text) and urlparse(url).path in unanswered:
                continue
            unexpected.append(f"{text} ({url})")
        assert not unexpected, "console errors:\n" + "\n".join(unexpected)


# Pictures on screen have loaded (lazy ones further down may not have started).
_PICTURES_LOADED = """() => [...document.images].every((img) => {
  const box = img.getBoundingClientRect();
  const onScreen = box.bottom > 0 && box.top < innerHeight && box.width > 0;
  return !onScreen || (img.complete && img.naturalWidth > 0);
})"""


def shot(page: Page, name: str) -> Path:
    """Save a screenshot under test-output/screenshots/ once the pictures on screen are in."""
    page.wait_for_function(_PICTURES_LOADED)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def token_of(page: Page) -> str | None:
    value = page.evaluate("() => sessionStorage.getItem('session_token')")
    return str(value) if value else None


def log_in_by_phone(page: Page, phone: str) -> None:
    """Log in on either page with a phone alone (a customer without a password)."""
    page.locator("#login-form").get_by_label("Mobile number").fill(phone)
    page.locator("#login-form [data-role=submit]").click()
    wait_for_chat(page)


def wait_for_chat(page: Page) -> None:
    """Until the conversation is on screen, with its history and greeting drawn."""
    expect(page.locator("body[data-session=ready]")).to_have_count(1)
    expect(page.get_by_label("Your message")).to_be_visible()


def say(page: Page, text: str) -> None:
    """Send a chat message and wait for the assistant's answer to it."""
    replies = page.locator(".chat-log .message.assistant")
    before = replies.count()
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(replies).to_have_count(before + 1)


ADD_TO_CART = re.compile(r"^Add .+ to cart$")


def add_button(card: Locator) -> Locator:
    """A product card's "Add to cart" button (named "Add <product> to cart")."""
    return card.get_by_role("button", name=ADD_TO_CART)


def open_cart(page: Page) -> Locator:
    page.get_by_role("button", name=re.compile(r"^Cart")).click()
    drawer = page.get_by_role("dialog", name="Your cart")
    expect(drawer).to_be_visible()
    return drawer


def add_something(http: httpx.Client, token: str, query: str = "shirt", qty: int = 1) -> str:
    """Put one thing in stock into the cart over the API; its name."""
    headers = {"X-Session-Token": token}
    for product in http.get("/products", params={"q": query, "limit": 30}).json()["items"]:
        for size in product["sizes"]:
            body = {"sku": product["sku"], "size": size, "qty": qty}
            if http.post("/cart/items", json=body, headers=headers).status_code == 200:
                return str(product["name"])
    raise AssertionError(f"nothing in stock to buy for {query!r}")


def add_expensive(http: httpx.Client, token: str) -> str:
    """Two sarees over ₹6000: over the simulated card's ₹10,000 limit, so a card is declined."""
    headers = {"X-Session-Token": token}
    params: dict[str, str | int] = {"q": "saree", "min_price": 6000, "limit": 30}
    for product in http.get("/products", params=params).json()["items"]:
        for size in product["sizes"]:
            body = {"sku": product["sku"], "size": size, "qty": 2}
            if http.post("/cart/items", json=body, headers=headers).status_code == 200:
                return str(product["name"])
    raise AssertionError("no saree in stock")


def to_checkout(page: Page, *, address: bool = True) -> Locator:
    """From the chat (or the open cart) to the checkout form; the cart must hold something."""
    drawer = page.get_by_role("dialog", name="Your cart")
    if not drawer.is_visible():
        drawer = open_cart(page)
    drawer.get_by_role("button", name=re.compile("^Checkout")).click()
    form = page.get_by_role("dialog", name="Checkout").locator(".checkout-form")
    expect(form).to_be_visible()
    if address:
        form.get_by_label("House and street").fill("12 MG Road")
        form.get_by_label("City").fill("Bengaluru")
        form.get_by_label("PIN code").fill("560001")
    return form


def orders_of(site: Site, token: str) -> list[dict[str, object]]:
    answer = site.http.get("/orders", headers={"X-Session-Token": token})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Poll ``check`` (something outside the page, e.g. the server) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")
