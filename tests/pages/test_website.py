"""The website in a real browser: signing up and logging in on a phone (with the messages a
shopper gets when something is wrong), order history and returns, and keyboard use."""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import SERVICE_KEY
from tests.factories import new_phone
from tests.pages.browser import (
    ConsoleLog,
    Site,
    add_button,
    add_something,
    log_in_by_phone,
    open_cart,
    say,
    shot,
    to_checkout,
    token_of,
    wait_for_chat,
)
from tests.pages.conftest import OpenPage
from threadline.pages.router import STATIC, PageStatic

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Every form control has a name a screen reader can say: a <label>, or aria-label; every button
# has a name too (an icon button its aria-label).
_UNLABELLED = """() => [
  ...[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')),
  ...[...document.querySelectorAll('button')]
    .filter((el) => !el.textContent.trim() && !el.getAttribute('aria-label')),
].map((el) => el.outerHTML)"""

# The edges of icon buttons, suggestion chips and size chips against what is behind them:
# the lowest contrast ratio found (WCAG 1.4.11 asks for 3:1).
_BORDER_CONTRAST = """(selector) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length)
    .map((el) => {
      const border = rgb(getComputedStyle(el).borderTopColor).slice(0, 3);
      const [a, b] = [lum(border), lum(behind(el))].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    });
  return found.length ? Math.min(...found) : null;
}"""


def assert_labelled(page: Page) -> None:
    assert page.evaluate(_UNLABELLED) == []


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 60) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``target`` (or something in it) has the
    focus, as a keyboard user.  The locator is looked up again at every step: a view that
    re-renders meanwhile (the cart drawer refreshes after opening) replaces its elements."""
    for _ in range(limit):
        if target.evaluate("(el) => el.contains(document.activeElement)"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {target}")


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"))


def test_sign_up_on_a_phone_with_clear_messages_then_chat_and_come_back(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    phone = new_phone()
    page = open_page(site.base, "/", phone=True)
    assert page.evaluate(_UNLABELLED) == []
    page.get_by_role("button", name="Create an account").click()
    form = page.locator("#signup-form")
    expect(form.get_by_label("Your name")).to_be_focused()
    form.get_by_label("Your name").fill("Ananya Rao")
    form.get_by_label("Mobile number").fill(phone)
    form.get_by_label("Password").fill("password")
    form.get_by_role("button", name="Create account").click()
    expect(form.get_by_role("alert")).to_have_text(
        re.compile(r"^Please choose a stronger password\. That password is too easy to guess")
    )
    expect(form.get_by_label("Password")).to_be_focused()

    form.get_by_label("Password").fill("monsoon-teal-kurta")
    form.get_by_role("button", name="Create account").click()
    wait_for_chat(page)
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(page.locator("#greeting")).to_have_text("Hello, Ananya")
    say(page, "Kurtas for women")
    expect(page.locator(".chat-log .product")).to_have_count(4)
    # A screen reader hears one line for the reply, not the four cards.
    expect(
        page.locator(".chat-log[aria-live], .chat-log [aria-live], .chat-log [role=log]")
    ).to_have_count(0)
    spoken = page.locator(".chat-announcer p").last
    expect(spoken).to_have_text(re.compile(r"^Assistant: .+ 4 products shown\.$", re.S))
    expect(page.locator(".chat-announcer")).not_to_contain_text("Add to cart")
    assert_labelled(page)
    assert no_sideways_scroll(page)
    shot(page, "website-phone")

    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#login-info")).to_have_text("You're logged out. See you soon!")
    assert token_of(page) is None

    # Signing up again with the same phone: told to log in, with the number filled in.
    page.get_by_role("button", name="Create an account").click()
    form.get_by_label("Your name").fill("Ananya Rao")
    form.get_by_label("Mobile number").fill(phone)
    form.get_by_label("Password").fill("another-long-phrase")
    form.get_by_role("button", name="Create account").click()
    login = page.locator("#login-form")
    expect(page.locator("#login-info")).to_have_text(
        "This phone number already has an account. Log in with your password, or get a one-time code."
    )
    expect(login.get_by_label("Mobile number")).to_have_value(phone)
    expect(login.get_by_label("Password")).to_be_focused()
    login.get_by_label("Password").fill("monsoon-teal-kurta")
    login.get_by_role("button", name="Log in").click()
    wait_for_chat(page)
    expect(page.locator(".chat-log .message.user .message-text").first).to_have_text(
        "Kurtas for women"
    )
    expect(page.locator(".chat-log .message.assistant").last).to_contain_text(
        "Welcome back, Ananya! Here's where we left off."
    )
    # The earlier turns are drawn without being read out; the greeting after them is.
    announced = page.locator(".chat-announcer p")
    expect(announced).to_have_count(1)
    expect(announced).to_have_text(re.compile(r"^Assistant: Welcome back, Ananya!"))
    console.assert_clean(expected={("/auth/signup", 422), ("/auth/signup", 409)})


def _add_something(http: httpx.Client, token: str) -> None:
    headers = {"X-Session-Token": token}
    for product in http.get("/products", params={"q": "shirt", "limit": 20}).json()["items"]:
        for size in product["sizes"]:
            body = {"sku": product["sku"], "size": size, "qty": 1}
            if http.post("/cart/items", json=body, headers=headers).status_code == 200:
                return
    raise AssertionError("nothing in stock to buy")


def _order(http: httpx.Client, token: str) -> dict[str, Any]:
    _add_something(http, token)
    http.get("/cart", headers={"X-Session-Token": token})
    address = {"line1": "12 MG Road", "city": "Bengaluru", "pincode": "560001"}
    placed = http.post(
        "/checkout",
        json={"payment_method": "upi", "fulfillment": {"type": "delivery", "address": address}},
        headers={"X-Session-Token": token, "Idempotency-Key": new_phone()},
    )
    assert placed.status_code == 201, placed.text
    return dict(placed.json())


def test_order_history_and_returning_a_delivered_item(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    phone = new_phone()
    http = site.http
    token = http.post("/session/start", json={"phone": phone, "channel": "app"}).json()[
        "session_token"
    ]
    delivered = _order(http, token)
    for status in ("shipped", "delivered"):
        moved = http.post(
            f"/orders/{delivered['order_id']}/status",
            json={"status": status},
            headers={"X-Service-Key": SERVICE_KEY},
        )
        assert moved.status_code == 200, moved.text
    pending = _order(http, token)

    page = open_page(site.base, "/")
    log_in_by_phone(page, phone)
    page.get_by_role("button", name="My orders").click()
    dialog = page.get_by_role("dialog", name="Your orders")
    expect(dialog.locator(".order-summary")).to_have_count(2)
    expect(dialog.locator(".order-summary").first).to_contain_text(pending["order_id"])
    expect(dialog.locator(".order-summary").last).to_contain_text("Delivered")
    assert_labelled(page)
    shot(page, "website-orders")

    dialog.get_by_role("button", name=f"View order {delivered['order_id']}").click()
    detail = page.get_by_role("dialog", name=f"Order {delivered['order_id']}")
    expect(detail.get_by_role("heading", name=f"Order {delivered['order_id']}")).to_be_focused()
    expect(detail.locator(".facts")).to_contain_text("UPI, paid")
    assert "null" not in detail.inner_text()
    assert "undefined" not in detail.inner_text()
    assert_labelled(page)
    detail.get_by_role("button", name="Return selected items").click()
    expect(detail.get_by_role("alert")).to_have_text("Choose at least one item to return.")
    detail.get_by_role("checkbox").first.check()
    detail.get_by_label("Reason for the return").select_option("It doesn't fit")
    detail.get_by_label("Anything else we should know? (optional)").fill("Too loose at the waist")
    detail.get_by_role("button", name="Return selected items").click()
    expect(detail.get_by_role("status")).to_have_text(
        re.compile(r"^Return requested\. We'll refund ₹[\d,.]+ to your original payment method\.$")
    )
    expect(detail.locator(".returned")).to_have_count(1)
    expect(detail).to_contain_text("It doesn't fit: Too loose at the waist")
    assert "null" not in detail.inner_text()
    shot(page, "website-order-returned")
    order = http.get(
        f"/orders/{delivered['order_id']}", headers={"X-Session-Token": str(token_of(page))}
    ).json()
    assert order["returns"][0]["reason"] == "It doesn't fit: Too loose at the waist"

    # An order not yet received cannot be returned: the server's reason is shown.
    detail.get_by_role("button", name="All orders").click()
    dialog.get_by_role("button", name=f"View order {pending['order_id']}").click()
    detail = page.get_by_role("dialog", name=f"Order {pending['order_id']}")
    detail.get_by_role("checkbox").first.check()
    detail.get_by_role("button", name="Return selected items").click()
    expect(detail.get_by_role("alert")).to_have_text(
        f"Order {pending['order_id']} is confirmed: items can be returned once received."
    )
    console.assert_clean(expected={(f"/orders/{pending['order_id']}/return", 409)})


def test_keyboard_only_login_chat_and_cart(site: Site, open_page: OpenPage, console: ConsoleLog):
    page = open_page(site.base, "/")
    phone_field = page.locator("#login-form").get_by_label("Mobile number")
    expect(phone_field).to_be_focused()
    page.keyboard.type(new_phone())
    page.keyboard.press("Enter")
    wait_for_chat(page)
    message = page.get_by_label("Your message")
    expect(message).to_be_focused()

    # A suggestion pressed from the keyboard: the focus waits in the message box, not on <body>.
    suggestion = page.locator(".suggestions .suggestion", has_text="Show me shirts")
    tab_to(page, suggestion, back=True)
    page.keyboard.press("Enter")
    expect(page.locator(".chat-log .product")).to_have_count(4)
    expect(message).to_be_focused()
    shot(page, "website-desktop")

    # The first card: Tab into its sizes, arrows pick one, Tab to its button, Enter adds.
    card = page.locator(".chat-log .product").first
    tab_to(page, card.locator(".sizes"), back=True)
    page.keyboard.press("ArrowRight")
    expect(card.locator("input[type=radio]:checked")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(add_button(card)).to_be_focused()
    page.keyboard.press("Enter")
    expect(card.locator(".card-status")).to_contain_text("Added to your cart")

    cart_button = page.get_by_role("button", name=re.compile(r"^Cart"))
    tab_to(page, cart_button, back=True)
    page.keyboard.press("Enter")
    drawer = page.get_by_role("dialog", name="Your cart")
    expect(drawer).to_be_visible()
    expect(drawer).to_have_attribute("aria-modal", "true")
    expect(drawer.get_by_role("heading", name="Your cart")).to_be_focused()
    expect(drawer.locator(".cart-line")).to_have_count(1)
    # Quantity buttons are reached with Tab and say which item they change.
    more = drawer.get_by_role("button", name=re.compile(r"^One more: "))
    tab_to(page, more)
    page.keyboard.press("Enter")
    expect(drawer.locator(".qty-value")).to_have_text("2")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(cart_button).to_be_focused()
    console.assert_clean()


def test_every_control_is_named_and_outlined_in_every_view(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    assert_labelled(page)
    log_in_by_phone(page, new_phone())
    say(page, "Show me shirts")
    assert_labelled(page)
    names = page.locator(".chat-log .product .product-name").all_inner_texts()
    buttons = page.locator(".chat-log .product .add-button")
    assert [buttons.nth(i).get_attribute("aria-label") for i in range(len(names))] == [
        f"Add {name} to cart" for name in names
    ]
    for selector in (".suggestion", ".chip span"):
        assert page.evaluate(_BORDER_CONTRAST, selector) >= 3, selector

    add_something(site.http, str(token_of(page)))
    drawer = open_cart(page)
    expect(drawer.locator(".cart-line")).to_have_count(1)
    assert_labelled(page)
    assert page.evaluate(_BORDER_CONTRAST, ".icon-button") >= 3

    form = to_checkout(page, address=False)
    assert_labelled(page)
    form.get_by_label("Pick up at a store").check()
    expect(form.get_by_label("Store", exact=True)).to_have_value(re.compile(r"^STORE_"))
    assert_labelled(page)
    console.assert_clean()


def test_a_login_refused_for_too_many_attempts_says_how_long_to_wait(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    form = page.locator("#login-form")
    form.get_by_label("Mobile number").fill(new_phone())
    form.get_by_label("Password").fill("not-the-password")

    # The server cannot be reached: said plainly.
    page.route("**/auth/login", lambda route: route.abort("connectionrefused"))
    form.get_by_role("button", name="Log in").click()
    expect(form.get_by_role("alert")).to_have_text(
        "We couldn't reach Threadline. Check the connection and try again."
    )
    page.unroute("**/auth/login")

    page.route(
        "**/auth/login",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "3"},
            json={"error": {"code": "too_many_attempts", "message": "Too many attempts."}},
        ),
    )
    submit = form.get_by_role("button", name="Log in")
    submit.click()
    expect(form.get_by_role("alert")).to_have_text(
        "Too many attempts. For your security, please wait 3 seconds before trying again."
    )
    expect(submit).to_be_disabled()
    expect(form.get_by_role("button", name="Send me a one-time code instead")).to_be_disabled()
    shot(page, "website-too-many-attempts")
    expect(submit).to_be_enabled(timeout=15_000)
    console.assert_clean(expected={("/auth/login", 429)}, unreachable={"/auth/login"})


def test_a_session_ended_elsewhere_leaves_nothing_for_the_next_shopper(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    log_in_by_phone(page, new_phone())
    say(page, "Show me shirts")
    token = str(token_of(page))
    product = add_something(site.http, token)
    drawer = open_cart(page)
    expect(drawer.locator(".cart-line")).to_have_count(1)
    page.keyboard.press("Escape")

    # Signed out on the server (another device, or a staff member): the next call finds out.
    assert site.http.post("/auth/logout", json={}, headers={"X-Session-Token": token}).is_success
    page.get_by_label("Your message").fill("Show me kurtas")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#login-info")).to_have_text("Your session has ended. Please log in again.")
    expect(page.locator(".chat-log .message")).to_have_count(0)
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.locator("#cart-button .badge")).to_have_text("0")
    expect(page.locator(".cart-line")).to_have_count(0)
    assert token_of(page) is None
    assert page.evaluate("() => sessionStorage.length") == 0
    assert product not in page.locator("body").inner_text()
    assert "Show me" not in page.content()

    # The next shopper's session ends while the cart is being opened...
    log_in_by_phone(page, new_phone())
    token = str(token_of(page))
    assert site.http.post("/auth/logout", json={}, headers={"X-Session-Token": token}).is_success
    page.get_by_role("button", name=re.compile(r"^Cart")).click()
    expect(page.locator("#login-info")).to_have_text("Your session has ended. Please log in again.")
    expect(page.locator(".cart-view .form-error")).to_have_text("")

    # ...and the one after finds no word of it in theirs.
    log_in_by_phone(page, new_phone())
    add_something(site.http, str(token_of(page)))
    drawer = open_cart(page)
    expect(drawer.locator(".cart-line")).to_have_count(1)
    expect(drawer.locator(".cart-view .form-error")).to_have_text("")
    console.assert_clean(expected={("/chat", 404), ("/cart", 404)})


def test_pages_answer_head_requests(site: Site):
    for path in ("/", "/kiosk"):
        answer = site.http.head(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-cache"


def test_page_static_files_are_revalidated_after_a_deploy():
    """``PageStatic`` (what app.py mounts at /static) sends ``Cache-Control: no-cache`` on the
    files and on a 304, so a browser never runs a cached script against a newer page."""
    files = PageStatic(directory=STATIC)
    for name in ("js/api.js", "app.css"):
        path = STATIC / name
        scope: dict[str, Any] = {"type": "http", "method": "GET", "headers": []}
        sent = files.file_response(path, os.stat(path), scope)
        assert sent.status_code == 200
        assert sent.headers["cache-control"] == "no-cache"
        etag = sent.headers["etag"].encode()
        scope["headers"] = [(b"if-none-match", etag)]
        again = files.file_response(path, os.stat(path), scope)
        assert again.status_code == 304
        assert again.headers["cache-control"] == "no-cache"
