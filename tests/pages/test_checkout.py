"""Checkout on the website when things go wrong: an answer lost or a 5xx (the same attempt is
repeated with the same Idempotency-Key, and a changed form first looks whether the order went
through), a double click on a decline's alternative, a switch to paying at a store, and a
sign-out while a payment is on its way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.factories import new_phone
from tests.pages.browser import (
    ConsoleLog,
    Site,
    add_expensive,
    add_something,
    log_in_by_phone,
    orders_of,
    shot,
    to_checkout,
    token_of,
)
from tests.pages.conftest import OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

UNAVAILABLE = {"error": {"code": "service_unavailable", "message": "Try again."}}

# Holds every POST /checkout until window.releaseCheckout() is called (the page's fetch is
# wrapped after it has loaded; the modules call the global fetch at the time of each request).
# The request then goes out even if the page aborted it meanwhile: an answer that was already
# on its way when the shopper signed out.
_HOLD_CHECKOUT = """() => {
  const real = window.fetch;
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  window.releaseCheckout = () => release();
  window.fetch = async (url, options) => {
    if (!String(url).endsWith('/checkout')) return real(url, options);
    await gate;
    return real(url, { ...options, signal: undefined });
  };
}"""


def checkout_requests(page: Page) -> list[Request]:
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/checkout") else None)
    return sent


def keys(sent: list[Request]) -> list[str | None]:
    return [r.headers.get("idempotency-key") for r in sent]


def test_an_answer_lost_after_the_order_went_through_is_retried_with_the_same_key(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    log_in_by_phone(page, new_phone())
    token = str(token_of(page))
    add_something(site.http, token)
    form = to_checkout(page)
    sent = checkout_requests(page)

    # The first answer is lost behind a 503, after the server placed the order.
    def lose_first(route: Route) -> None:
        if len(sent) == 1:
            route.fetch()
            route.fulfill(status=503, json=UNAVAILABLE)
        else:
            route.continue_()

    page.route("**/checkout", lose_first)
    pay = form.get_by_role("button", name=re.compile(r"^Pay ₹"))
    pay.click()
    error = form.locator(".form-error")
    expect(error).to_contain_text("you won't be charged twice")
    expect(pay).to_be_enabled()
    expect(pay).to_be_focused()
    assert len(orders_of(site, token)) == 1

    pay.click()
    placed = page.get_by_role("dialog", name="Order placed")
    expect(placed.get_by_role("heading", name=re.compile(r"Order \S+ is placed"))).to_be_focused()
    assert len(sent) == 2
    assert keys(sent)[0]
    assert keys(sent)[0] == keys(sent)[1]
    assert sent[0].post_data == sent[1].post_data
    orders = orders_of(site, token)
    assert len(orders) == 1
    assert placed.locator(".order-view").get_attribute("data-order-id") == orders[0]["order_id"]
    console.assert_clean(expected={("/checkout", 503)})


def test_a_changed_form_after_an_unknown_outcome_finds_the_order_instead_of_paying_twice(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    log_in_by_phone(page, new_phone())
    token = str(token_of(page))
    add_something(site.http, token)
    form = to_checkout(page)
    sent = checkout_requests(page)

    def lose(route: Route) -> None:
        route.fetch()
        route.fulfill(status=502, json=UNAVAILABLE)

    page.route("**/checkout", lose)
    form.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    expect(form.locator(".form-error")).to_contain_text("you won't be charged twice")

    # The shopper tries another way: the order that went through is shown, not paid again.
    form.get_by_label("Wallet", exact=True).check()
    form.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    placed = page.get_by_role("dialog", name="Order placed")
    expect(placed).to_contain_text("by UPI")
    assert len(sent) == 1
    orders = orders_of(site, token)
    assert len(orders) == 1
    assert placed.locator(".order-view").get_attribute("data-order-id") == orders[0]["order_id"]
    console.assert_clean(expected={("/checkout", 502)})


def test_a_5xx_before_anything_happened_then_success_makes_one_order_with_one_key(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    log_in_by_phone(page, new_phone())
    token = str(token_of(page))
    add_something(site.http, token)
    form = to_checkout(page)
    sent = checkout_requests(page)
    failures = iter([True])

    def fail_once(route: Route) -> None:
        if next(failures, False):
            route.fulfill(status=503, json=UNAVAILABLE)
        else:
            route.continue_()

    page.route("**/checkout", fail_once)
    # While it is on its way the form cannot change under it (the old TypeError).
    page.evaluate(_HOLD_CHECKOUT)
    pay = form.get_by_role("button", name=re.compile(r"^Pay ₹"))
    pay.click()
    expect(form.get_by_label("Card", exact=True)).to_be_disabled()
    expect(pay).to_be_disabled()
    page.evaluate("() => window.releaseCheckout()")
    expect(form.locator(".form-error")).to_contain_text("you won't be charged twice")
    expect(form.get_by_label("Card", exact=True)).to_be_enabled()

    pay.click()
    expect(page.get_by_role("dialog", name="Order placed")).to_be_visible()
    assert len(sent) == 2
    assert keys(sent)[0] == keys(sent)[1]
    assert sent[0].post_data == sent[1].post_data
    assert len(orders_of(site, token)) == 1
    console.assert_clean(expected={("/checkout", 503)})


def _declined(page: Page, site: Site) -> tuple[str, Any]:
    """An expensive cart paid by card: declined, with the alternatives on screen."""
    log_in_by_phone(page, new_phone())
    token = str(token_of(page))
    add_expensive(site.http, token)
    form = to_checkout(page)
    form.get_by_label("Card", exact=True).check()
    form.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    declined = form.locator(".decline")
    expect(declined).to_contain_text("Payment declined")
    expect(declined).to_be_focused()
    return token, form


def test_a_double_click_on_a_decline_alternative_pays_once(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    token, form = _declined(page, site)
    sent = checkout_requests(page)
    form.locator(".decline").get_by_role("button", name="Pay by UPI").dblclick()
    placed = page.get_by_role("dialog", name="Order placed")
    expect(placed.get_by_role("heading", name=re.compile(r"Order \S+ is placed"))).to_be_focused()
    expect(placed).to_contain_text("by UPI")
    assert len(sent) == 1
    assert len(orders_of(site, token)) == 1
    expect(placed.get_by_role("heading", name=re.compile(r"Order \S+ is placed"))).to_be_visible()
    console.assert_clean(expected={("/checkout", 402)})


def test_paying_at_a_store_after_a_decline_lets_the_shopper_choose_the_store(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    token, form = _declined(page, site)
    sent = checkout_requests(page)
    form.locator(".decline").get_by_role("button", name="Reserve in a store and pay there").click()

    # The form switches over and waits for the shopper: nothing is ordered yet.
    expect(form.get_by_label("Reserve in a store: try it on and pay there")).to_be_checked()
    store = form.get_by_label("Store", exact=True)
    expect(store).to_be_focused()
    expect(store.locator("option")).not_to_have_count(0)
    place = form.get_by_role("button", name=re.compile(r"^Place order · ₹"))
    expect(form.locator(".notice")).to_contain_text("Choose the store")
    expect(form.locator(".decline")).to_be_hidden()
    shot(page, "website-checkout-choose-store")
    assert sent == []

    # Another store than the one offered first, with everything in stock.
    options = store.locator("option[data-complete=true]")
    assert options.count() > 1
    chosen = options.last.get_attribute("value")
    assert chosen != store.input_value()
    assert chosen
    store.select_option(chosen)
    place.click()
    placed = page.get_by_role("dialog", name="Order placed")
    expect(placed).to_contain_text("held for you at")
    orders = orders_of(site, token)
    assert len(orders) == 1
    fulfillment: Any = orders[0]["fulfillment"]
    assert fulfillment["type"] == "reserve_in_store"
    assert fulfillment["store_id"] == chosen
    console.assert_clean(expected={("/checkout", 402)})


def test_signing_out_while_a_payment_is_on_its_way_leaves_nothing_behind(
    site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(site.base, "/")
    log_in_by_phone(page, new_phone())
    add_something(site.http, str(token_of(page)))
    form = to_checkout(page)
    page.evaluate(_HOLD_CHECKOUT)
    form.get_by_role("button", name=re.compile(r"^Pay ₹")).click()
    expect(form.get_by_label("Card", exact=True)).to_be_disabled()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#login-info")).to_have_text("You're logged out. See you soon!")
    # The held payment is let go after the sign-out: its answer must not land anywhere.
    with page.expect_response(lambda r: r.url.endswith("/checkout")) as late:
        page.evaluate("() => window.releaseCheckout()")
    status = late.value.status

    log_in_by_phone(page, new_phone())
    add_something(site.http, str(token_of(page)))
    form = to_checkout(page)
    expect(form.get_by_label("Card", exact=True)).to_be_enabled()
    expect(form.locator(".form-error")).to_have_text("")
    expect(page.locator(".order-view")).to_be_hidden()
    assert page.locator(".order-view").inner_text() == ""
    expect(page.locator(".chat-log .message.note")).to_have_count(0)
    console.assert_clean(expected={("/checkout", status)})
