"""The kiosk page in a real browser: a purchase with a declined card and a retry by UPI, the
QR code that carries the conversation to a phone, the idle logout, and what a shopper is told
when a login goes wrong."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Request, expect

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
    token_of,
    wait_for_chat,
    wait_until,
)
from tests.pages.conftest import OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Nothing of a shopper is left in the page, visible or not, once they are signed out.
_LEFTOVERS = """() => ({
  messages: document.querySelectorAll('.chat-log .message, .chat-announcer p').length,
  suggestions: document.querySelectorAll('.suggestions button').length,
  cartLines: document.querySelectorAll('.cart-line').length,
  orderView: [...document.querySelectorAll('.order-view')].map((el) => el.textContent).join(''),
  orderIds: document.querySelectorAll('[data-order-id]').length,
  qr: [...document.querySelectorAll('.qr')].map((el) => el.innerHTML).join(''),
  handoffUrls: document.querySelectorAll('[data-handoff-url]').length,
  filled: [...document.querySelectorAll('input:not([type=radio]):not([type=checkbox]), textarea')]
    .filter((el) => el.value).map((el) => el.name || el.id),
  errors: [...document.querySelectorAll('.form-error, .card-status, .coupon-state, .notice')]
    .map((el) => el.textContent).join(''),
  said: /cart|order|₹/i.test(document.getElementById('announcer').textContent),
  greeting: document.getElementById('greeting').textContent,
  storage: sessionStorage.length,
})"""
NOTHING_LEFT = {
    "messages": 0,
    "suggestions": 0,
    "cartLines": 0,
    "orderView": "",
    "orderIds": 0,
    "qr": "",
    "handoffUrls": 0,
    "filled": [],
    "errors": "",
    "said": False,
    "greeting": "",
    "storage": 0,
}


def leftovers(page: Page) -> dict[str, object]:
    return dict(page.evaluate(_LEFTOVERS))


def test_purchase_from_a_product_card_with_a_declined_card_then_upi(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/kiosk")
    log_in_by_phone(page, new_phone())
    say(page, "Show me sarees over ₹6000")
    cards = page.locator(".chat-log .product")
    expect(cards).to_have_count(4)
    first = cards.first
    expect(first.locator(".price-now")).to_have_text(re.compile(r"^₹\d"))
    expect(first.locator("img")).to_have_attribute("src", re.compile(r"/products/.+/image\.svg$"))
    shot(page, "kiosk-chat")

    name = first.locator(".product-name").inner_text()
    expect(add_button(first)).to_have_accessible_name(f"Add {name} to cart")
    add_button(first).click()
    expect(first.locator(".card-status")).to_contain_text("Added to your cart")
    expect(page.locator("#cart-button .badge")).to_have_text("1")
    # Said once, by the page's status line (the card's own line is not a live region).
    expect(page.locator("#announcer")).to_contain_text("Added to cart. 1 item")
    expect(first.locator("[role=status], [aria-live]")).to_have_count(0)

    open_cart(page)
    drawer = page.get_by_role("dialog", name="Your cart")
    expect(drawer.locator(".cart-line")).to_have_count(1)
    drawer.get_by_role("button", name=re.compile("^One more")).click()
    expect(drawer.locator(".qty-value")).to_have_text("2")
    expect(page.locator("#cart-button .badge")).to_have_text("2")
    expect(drawer.locator(".totals dd.total")).to_have_text(re.compile(r"^₹\d{2},\d{3}"))
    coupon = drawer.get_by_label("Coupon code")
    coupon.fill("MONSOON20")
    drawer.get_by_role("button", name="Apply").click()
    expect(drawer.locator(".coupon-state")).to_have_text(
        re.compile(r"^That coupon can't be used: ")
    )
    coupon.fill("FLAT200")
    drawer.get_by_role("button", name="Apply").click()
    expect(drawer.locator(".coupon-state")).to_have_text("Coupon FLAT200 applied.")
    expect(drawer.locator(".totals")).to_contain_text("Coupon FLAT200")
    drawer.get_by_role("button", name="Remove coupon").click()
    expect(drawer.locator(".totals")).not_to_contain_text("FLAT200")
    coupon.fill("FLAT200")
    drawer.get_by_role("button", name="Apply").click()
    expect(drawer.locator(".coupon-state")).to_have_text("Coupon FLAT200 applied.")
    shot(page, "kiosk-cart")

    # Two sarees are over the card's ₹10,000 online limit: the simulated bank declines.
    drawer.get_by_role("button", name=re.compile("^Checkout")).click()
    checkout = page.get_by_role("dialog", name="Checkout")
    checkout.get_by_label("Pick up at a store").check()
    expect(checkout.get_by_label("Store", exact=True)).to_have_value(re.compile(r"^STORE_"))
    checkout.get_by_label("Card", exact=True).check()
    checkout.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    declined = checkout.locator(".decline")
    expect(declined).to_contain_text("Payment declined")
    expect(declined).to_contain_text("Nothing was charged")
    # The alert itself takes the focus, so its words are read before its buttons.
    expect(declined).to_be_focused()
    expect(declined).not_to_contain_text("null")
    shot(page, "kiosk-checkout-declined")
    assert (
        site.http.get("/orders", headers={"X-Session-Token": str(token_of(page))}).json()["total"]
        == 0
    )

    declined.get_by_role("button", name="Pay by UPI").click()
    placed = page.get_by_role("dialog", name="Order placed")
    expect(placed.get_by_role("heading", name=re.compile(r"Order \S+ is placed"))).to_be_focused()
    expect(placed).to_contain_text("by UPI")
    expect(placed).to_contain_text("pickup code")
    expect(page.locator("#cart-button .badge")).to_have_text("0")
    shot(page, "kiosk-order-placed")
    order_id = placed.locator(".order-view").get_attribute("data-order-id")
    order = site.http.get(
        f"/orders/{order_id}", headers={"X-Session-Token": str(token_of(page))}
    ).json()
    assert order["payment"] == {
        "method": "upi",
        "status": "captured",
        "reference": order["payment"]["reference"],
    }
    assert order["fulfillment"]["type"] == "pickup"
    assert sum(line["qty"] for line in order["items"]) == 2

    placed.get_by_role("button", name="Continue shopping").click()
    expect(page.get_by_label("Your message")).to_be_focused()
    expect(page.locator(".chat-log .message.note").last).to_contain_text(f"Order {order_id}")

    # Finish while the server does not answer the sign-out: the screen is clear at once.
    page.route("**/auth/logout", lambda route: None)
    page.get_by_role("button", name="Finish and sign out").click()
    expect(page.get_by_role("heading", name="Welcome to Threadline")).to_be_visible()
    expect(page.locator("#login-info")).to_have_text("Thanks for visiting! You're signed out.")
    assert leftovers(page) == NOTHING_LEFT
    assert order_id not in page.content()
    console.assert_clean(expected={("/cart/coupon", 422), ("/checkout", 402)})


def test_qr_code_continues_the_conversation_and_cart_on_a_phone_once(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    # A short idle timeout: the kiosk must not sign out (and void the code) while it is shown.
    kiosk = open_page(site.base, "/kiosk?idle=6", clock=True)
    log_in_by_phone(kiosk, new_phone())
    say(kiosk, "Show me shirts")
    card = kiosk.locator(".chat-log .product").first
    card.locator(".chip").nth(1).click()
    add_button(card).click()
    expect(kiosk.locator("#cart-button .badge")).to_have_text("1")

    kiosk.get_by_role("button", name="Continue on your phone").click()
    dialog = kiosk.get_by_role("dialog", name="Continue on your phone")
    expect(dialog.locator(".qr svg")).to_be_visible()
    expect(dialog.locator(".countdown")).to_have_text(
        re.compile(r"^This code works for [0-4] min \d{1,2} s more\.$")
    )
    cancel = dialog.get_by_role("button", name="Cancel the code and sign out")
    expect(cancel).to_be_visible()
    expect(dialog.get_by_role("button", name="Done: sign out of the kiosk")).to_have_count(0)
    url = dialog.locator(".qr").get_attribute("data-handoff-url")
    assert url
    assert url.startswith(site.base + "/?handoff=tlh_")
    shot(kiosk, "kiosk-qr")

    # A minute passes, ten times the idle timeout: the code is still on screen and valid.
    kiosk.clock.fast_forward("01:00")
    expect(dialog.locator(".countdown")).to_have_text(re.compile(r"works for [0-3] min"))
    expect(kiosk.get_by_role("alertdialog", name="Are you still there?")).to_be_hidden()
    assert site.session(str(token_of(kiosk))).status_code == 200

    phone = open_page(site.base, url.removeprefix(site.base), phone=True)
    wait_for_chat(phone)
    assert "handoff" not in phone.url
    expect(phone.locator(".chat-log .message.user .message-text").first).to_have_text(
        "Show me shirts"
    )
    expect(phone.locator(".chat-log")).to_contain_text("continuing on this phone")
    expect(phone.locator("#cart-button .badge")).to_have_text("1")
    kiosk_session = site.session(str(token_of(kiosk))).json()
    phone_session = site.session(str(token_of(phone))).json()
    assert phone_session["session_id"] == kiosk_session["session_id"]
    assert phone_session["channel"] == "web"
    assert phone_session["data"]["channels"] == ["kiosk", "web"]
    assert [x["sku"] for x in phone_session["data"]["cart"]] == [
        x["sku"] for x in kiosk_session["data"]["cart"]
    ]

    # The kiosk learns the phone has it, and only now offers "Done" as the main action.
    expect(dialog.locator(".handoff-done")).to_have_text("Your phone has the conversation ✓")
    expect(dialog.locator(".qr svg")).to_have_count(0)
    done = dialog.get_by_role("button", name="Done: sign out of the kiosk")
    expect(done).to_have_class(re.compile(r"\bprimary\b"))
    shot(kiosk, "kiosk-qr-used")
    kiosk_token = str(token_of(kiosk))
    done.click()
    expect(kiosk.locator("#login-info")).to_have_text(
        "Thanks for visiting! Your conversation carries on on your phone."
    )
    assert leftovers(kiosk) == NOTHING_LEFT
    wait_until(lambda: site.session(kiosk_token).status_code == 404, what="kiosk signed out")
    # The phone carries on with its own token.
    say(phone, "Show me shoes")

    # The code works once: a second phone is sent to the login form with the reason.
    second = open_page(site.base, url.removeprefix(site.base), phone=True)
    expect(second.locator("#login-info")).to_have_text(
        re.compile("This QR code has already been used or has expired")
    )
    assert token_of(second) is None
    console.assert_clean(expected={("/session/handoff/redeem", 404)})


def test_a_code_nobody_scans_expires_then_the_idle_logout_runs_again(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    kiosk = open_page(site.base, "/kiosk?idle=6", clock=True)
    log_in_by_phone(kiosk, new_phone())
    kiosk.get_by_role("button", name="Continue on your phone").click()
    dialog = kiosk.get_by_role("dialog", name="Continue on your phone")
    expect(dialog.locator(".qr svg")).to_be_visible()
    token = str(token_of(kiosk))

    kiosk.clock.fast_forward("05:05")
    expect(dialog).to_be_hidden()
    expect(kiosk.get_by_label("Your message")).to_be_visible()
    expect(kiosk.locator(".qr svg")).to_have_count(0)
    assert kiosk.locator(".qr").get_attribute("data-handoff-url") is None

    kiosk.clock.fast_forward("00:08")
    expect(kiosk.locator("#login-info")).to_contain_text("inactivity")
    assert leftovers(kiosk) == NOTHING_LEFT
    wait_until(lambda: site.session(token).status_code == 404, what="idle sign-out on the server")
    console.assert_clean()


def test_signing_out_with_a_code_on_screen_says_it_cancels_the_code(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    kiosk = open_page(site.base, "/kiosk")
    log_in_by_phone(kiosk, new_phone())
    add_something(site.http, str(token_of(kiosk)))
    kiosk.get_by_role("button", name="Continue on your phone").click()
    dialog = kiosk.get_by_role("dialog", name="Continue on your phone")
    expect(dialog.locator(".qr svg")).to_be_visible()
    url = dialog.locator(".qr").get_attribute("data-handoff-url")
    assert url
    dialog.get_by_role("button", name="Cancel the code and sign out").click()
    expect(kiosk.locator("#login-info")).to_have_text("Thanks for visiting! You're signed out.")
    assert leftovers(kiosk) == NOTHING_LEFT

    # The code died with the kiosk's session, as the button said.
    phone = open_page(site.base, url.removeprefix(site.base), phone=True)
    expect(phone.locator("#login-info")).to_have_text(
        re.compile("This QR code has already been used or has expired")
    )
    console.assert_clean(expected={("/session/handoff/redeem", 404)})


def test_idle_kiosk_warns_then_signs_out_and_clears_the_screen(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/kiosk", clock=True)
    # On the number pad, as on a kiosk without a keyboard: the national number is enough.
    for digit in new_phone().removeprefix("+91"):
        page.get_by_role("group", name="Number pad").get_by_role("button", name=digit).click()
    page.get_by_role("button", name="Continue").click()
    wait_for_chat(page)
    say(page, "Show me shirts")
    token = str(token_of(page))

    # 100 s of the 120 s default: the warning, 20 s before the end.
    page.clock.fast_forward("01:41")
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(re.compile(r"Signing out in \d+ seconds?\."))
    shot(page, "kiosk-idle-warning")
    warning.get_by_role("button", name="I'm still here").last.click()
    expect(warning).to_be_hidden()
    expect(page.get_by_label("Your message")).to_be_visible()
    assert site.session(token).status_code == 200

    # Nobody answers the next warning: the next shopper finds a clean login screen.
    page.clock.fast_forward("02:01")
    expect(page.get_by_role("heading", name="Welcome to Threadline")).to_be_visible()
    expect(page.locator("#login-info")).to_contain_text("inactivity")
    expect(warning).to_be_hidden()
    assert leftovers(page) == NOTHING_LEFT
    expect(page.locator("#cart-button .badge")).to_have_text("0")
    expect(page.locator("#login-form").get_by_label("Mobile number")).to_be_focused()
    shot(page, "kiosk-idle-signed-out")
    wait_until(lambda: site.restore(token).status_code == 404, what="idle sign-out on the server")
    restored = site.restore(token)
    assert restored.json()["error"]["code"] == "session_not_found"
    console.assert_clean()


def test_password_customer_gets_a_clear_message_then_logs_in_with_a_code(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    phone = new_phone()
    signup = site.http.post(
        "/auth/signup",
        json={"phone": phone, "password": "saffron-kite-42", "name": "Meera Iyer"},
    )
    assert signup.status_code == 201, signup.text
    page = open_page(site.base, "/kiosk")
    form = page.locator("#login-form")
    form.get_by_label("Mobile number").fill(phone)
    form.get_by_role("button", name="Continue").click()

    password = form.get_by_label("Password")
    expect(password).to_be_focused()
    expect(page.locator("#login-info")).to_contain_text("protected by a password")
    password.fill("not-my-password")
    form.get_by_role("button", name="Log in").click()
    alert = form.get_by_role("alert")
    expect(alert).to_have_text(
        "That phone number and password don't match. Check them and try again, "
        "or get a one-time code instead."
    )
    expect(password).to_have_attribute("aria-invalid", "true")
    shot(page, "kiosk-wrong-password")

    form.get_by_role("button", name="Send me a one-time code instead").click()
    code = form.get_by_label("6-digit code")
    expect(code).to_be_focused()
    expect(page.locator("#login-info")).to_contain_text("We've sent a 6-digit code")
    code.fill(site.otp_code(phone))
    form.get_by_role("button", name="Verify and log in").click()
    wait_for_chat(page)
    expect(page.locator("#greeting")).to_have_text("Hello, Meera")
    session = site.session(str(token_of(page))).json()
    assert session["phone"] == phone
    assert session["channel"] == "kiosk"
    console.assert_clean(expected={("/session/start", 401), ("/auth/login", 401)})


def test_kiosk_first_load_is_small(site: Site, browser: Browser):
    """The kiosk's first load with an empty cache stays under 300 KB transferred."""
    context = browser.new_context()
    try:
        page = context.new_page()
        finished: list[Request] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(site.base + "/kiosk", wait_until="networkidle")
        expect(page.locator("#login-form").get_by_label("Mobile number")).to_be_enabled()
        page.wait_for_load_state("networkidle")
        sizes = {}
        for request in finished:
            size = request.sizes()
            sizes[request.url] = size["responseHeadersSize"] + size["responseBodySize"]
        # Every module the page preloads came in, and nothing failed on the way.
        assert any(url.endswith("/static/js/kiosk.js") for url in sizes)
        assert any(url.endswith("/static/app.css") for url in sizes)
        assert all(size > 0 for size in sizes.values()), sizes
        assert sum(sizes.values()) <= 300 * 1024, sizes
    finally:
        context.close()
