"""The website in a real browser: signing up and logging in on a phone (with the messages a
shopper gets when something is wrong), order history and returns, and keyboard use."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import SERVICE_KEY
from tests.factories import new_phone
from tests.pages.browser import (
    ConsoleLog,
    Site,
    log_in_by_phone,
    say,
    shot,
    token_of,
    wait_for_chat,
)
from tests.pages.conftest import OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Every form control has a name a screen reader can say: a <label>, or aria-label.
_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map((el) => el.outerHTML)"""


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
    expect(page.locator(".chat-log")).to_have_attribute("aria-live", "polite")
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
    shot(page, "website-orders")

    dialog.get_by_role("button", name=f"View order {delivered['order_id']}").click()
    detail = page.get_by_role("dialog", name=f"Order {delivered['order_id']}")
    expect(detail.get_by_role("heading", name=f"Order {delivered['order_id']}")).to_be_focused()
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
    page.keyboard.type("Show me shirts")
    page.keyboard.press("Enter")
    expect(page.locator(".chat-log .product")).to_have_count(4)
    shot(page, "website-desktop")

    # The first card: Tab into its sizes, arrows pick one, Tab to its button, Enter adds.
    card = page.locator(".chat-log .product").first
    card.locator("input[type=radio]").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Add to cart")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card.get_by_role("status")).to_contain_text("Added to your cart")

    cart_button = page.get_by_role("button", name=re.compile(r"^Cart"))
    cart_button.focus()
    page.keyboard.press("Enter")
    drawer = page.get_by_role("dialog", name="Your cart")
    expect(drawer).to_be_visible()
    expect(drawer).to_have_attribute("aria-modal", "true")
    expect(drawer.get_by_role("heading", name="Your cart")).to_be_focused()
    expect(drawer.locator(".cart-line")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(cart_button).to_be_focused()
    console.assert_clean()
