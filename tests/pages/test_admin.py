"""The staff dashboard in a real browser: signing in (and the wrong password's message), the
figures and charts of the shopping done below, changing the period, a customer's token
refused, keyboard use and labels, signing out."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_server_process import THREADLINE
from tests.factories import new_phone
from tests.pages.browser import ConsoleLog, Site, add_something, shot
from tests.pages.conftest import OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

STAFF, PASSWORD = "meera", "saffron ledger 57"
# Every check of the pages the other tests make: each form control and button is named.
_UNLABELLED = """() => [
  ...[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')),
  ...[...document.querySelectorAll('button')]
    .filter((el) => !el.textContent.trim() && !el.getAttribute('aria-label')),
].map((el) => el.outerHTML)"""
# Chromium notes a 401 from the first "who is signed in?" on a fresh visit.
SIGNED_OUT = {("/admin/api/me", 401)}


@pytest.fixture(scope="module")
def shop(site: Site) -> Site:
    """A staff user (made with the command line) and some shopping on the demo store: three
    shoppers on the kiosk, one continued on the website and ordered there, one on WhatsApp,
    and two searches that found nothing."""
    subprocess.run(
        [THREADLINE, "staff", "create", STAFF, "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{site.data_dir / 'threadline.db'}"},
    )
    http = site.http
    for channel in ("kiosk", "kiosk", "whatsapp"):
        body = {"phone": new_phone(), "channel": channel}
        token = http.post("/session/start", json=body).json()["session_token"]
        chat = {"message": "show me blue shirts"}
        assert http.post("/chat", json=chat, headers={"X-Session-Token": token}).status_code == 200
    kiosk = http.post("/session/start", json={"phone": "9876543210", "channel": "kiosk"}).json()
    chat = {"message": "show me shirts"}
    assert http.post(
        "/chat", json=chat, headers={"X-Session-Token": kiosk["session_token"]}
    ).is_success
    add_something(http, kiosk["session_token"])
    web = http.post("/session/start", json={"phone": "9876543210", "channel": "web"}).json()
    order = http.post(
        "/checkout",
        json={"payment_method": "upi", "fulfillment": {"type": "pickup", "store_id": "STORE_PUNE"}},
        headers={"X-Session-Token": web["session_token"], "Idempotency-Key": "admin-page-1"},
    )
    assert order.status_code == 201, order.text
    # Searches are counted for shoppers with a session (anonymous ones are not).
    shopper = {"X-Session-Token": web["session_token"]}
    for query in ("swimwear", "swimwear", "snowboard"):
        assert http.get("/products", params={"q": query}, headers=shopper).json()["total"] == 0
    return site


def sign_in(page: Page, username: str = STAFF, password: str = PASSWORD) -> None:
    form = page.locator("#login-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def wait_for_figures(page: Page) -> None:
    expect(page.locator("body[data-state=ready]")).to_have_count(1)


def kpi(page: Page, label: str) -> str:
    return page.locator(f".kpi[data-kpi='{label}'] dd").inner_text()


def test_signing_in_shows_the_figures_with_charts(
    shop: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(shop.base, "/admin")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    shot(page, "admin-sign-in")

    sign_in(page, password="not the password")
    expect(page.locator("#login-error")).to_have_text("That username or password is not right.")
    expect(page.locator("#login-form").get_by_label("Password")).to_be_focused()
    sign_in(page)
    wait_for_figures(page)

    expect(page.locator("#staff-name")).to_have_text(f"Signed in as {STAFF}")
    expect(page.locator("#period-text")).to_contain_text("(7 days)")
    # Four shoppers: three chatted and left; the fourth chatted on the kiosk, then ordered on
    # the website (one kiosk → website switch).
    assert kpi(page, "Sessions") == "4"
    assert kpi(page, "Orders") == "1"
    assert kpi(page, "Revenue").startswith("₹")
    assert kpi(page, "Chat → order") == "25%"
    # Every chart is a picture with a sentence for screen readers, and its numbers as a table.
    charts = page.locator("svg.chart-svg[role=img]")
    expect(charts).to_have_count(6)
    for i in range(charts.count()):
        assert charts.nth(i).locator("title").first.text_content()
    days = page.locator("#daily-chart svg text.tick").filter(has_text=re.compile(r"[A-Z][a-z]{2}"))
    expect(days).to_have_count(7)
    expect(page.locator("#channels-chart svg")).to_contain_text("Kiosk")
    expect(page.locator("#switches-chart svg")).to_contain_text("Kiosk → Website")
    expect(page.locator("#funnel-chart svg")).to_contain_text("4 · 100%")
    expect(page.locator("#funnel-chart svg")).to_contain_text("1 · 25%")
    searches = page.locator("#searches tbody tr")
    expect(searches.first.locator("th")).to_have_text("swimwear")
    expect(searches.first.locator("td").first).to_have_text("2")
    expect(searches.nth(1).locator("th")).to_have_text("snowboard")
    alerts = page.locator("#stock .scroll tbody tr")
    expect(alerts).to_have_count(50)
    expect(page.locator(".stock-summary")).to_contain_text("out of stock")
    shot(page, "admin-dashboard")
    page.set_viewport_size({"width": 1280, "height": 2600})
    shot(page, "admin-dashboard-full")
    console.assert_clean({("/admin/api/login", 401), *SIGNED_OUT})


def test_changing_the_period_updates_the_figures(
    shop: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(shop.base, "/admin")
    sign_in(page)
    wait_for_figures(page)
    today = page.locator("#to").input_value()

    page.get_by_role("radio", name="Today").check()
    expect(page.locator("#period-text")).not_to_contain_text("days)")
    wait_for_figures(page)
    expect(
        page.locator("#daily-chart svg text.tick").filter(has_text=re.compile("[A-Z]"))
    ).to_have_count(1)
    assert "preset=today" in page.url
    assert int(kpi(page, "Sessions")) >= 4  # everything happened today

    # A custom month long before the shop opened: zeros and plain sentences, not errors.
    page.get_by_role("radio", name="Custom").check()
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    first = date.fromisoformat(today) - timedelta(days=400)
    page.get_by_label("From", exact=True).fill(str(first))
    page.get_by_label("To", exact=True).fill(str(first + timedelta(days=29)))
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#period-text")).to_contain_text("(30 days)")
    wait_for_figures(page)
    assert kpi(page, "Sessions") == "0"
    assert kpi(page, "Orders") == "0"
    expect(page.locator("#switches-chart")).to_have_text(
        "No shopper moved from one channel to another in this period."
    )
    expect(page.locator("#searches")).to_have_text("No search came back empty in this period.")
    shot(page, "admin-empty-period")

    # The period is in the address: a reload shows the same one.
    page.reload()
    wait_for_figures(page)
    expect(page.get_by_role("radio", name="Custom")).to_be_checked()
    expect(page.locator("#period-text")).to_contain_text("(30 days)")

    # Backwards: the server's message, next to the dates.
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(str(first))
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#period-error")).to_have_text(
        "The period's first day must not be after its last day."
    )
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")
    console.assert_clean({("/admin/api/overview", 422), ("/admin/api/me", 401)})


def test_a_customer_token_does_not_open_the_dashboard(
    shop: Site, open_page: OpenPage, console: ConsoleLog
):
    customer = shop.http.post("/session/start", json={"phone": new_phone(), "channel": "web"})
    token = customer.json()["session_token"]
    page = open_page(shop.base, "/")
    page.context.add_cookies([{"name": "tl_staff", "value": token, "url": shop.base + "/admin"}])
    page.evaluate("(t) => sessionStorage.setItem('session_token', t)", token)

    page.goto(shop.base + "/admin")

    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    status = page.evaluate(
        """async (t) => (await fetch('/admin/api/overview', {headers: {'X-Session-Token': t}})).status""",
        token,
    )
    assert status == 401
    console.assert_clean({("/admin/api/overview", 401), *SIGNED_OUT})


def test_keyboard_only_sign_in_period_and_numbers(
    shop: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(shop.base, "/admin")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert page.evaluate(_UNLABELLED) == []

    page.get_by_label("Username").focus()
    page.keyboard.type(STAFF)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    wait_for_figures(page)
    expect(page.get_by_role("heading", name="How the shop is doing")).to_be_focused()
    assert page.evaluate(_UNLABELLED) == []

    # The period's radio buttons: arrow keys move the choice, and the figures follow.
    page.get_by_role("radio", name="Last 7 days").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Last 30 days")).to_be_checked()
    expect(page.locator("#period-text")).to_contain_text("(30 days)")
    wait_for_figures(page)

    # A chart's numbers open from the keyboard, as a table with a row per channel.
    summary = page.locator("#channels-chart summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#channels-chart table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table.locator("tbody tr").first.locator("th")).to_have_text("Website")
    console.assert_clean(SIGNED_OUT)


def test_signing_out_ends_the_sign_in(shop: Site, open_page: OpenPage, console: ConsoleLog):
    page = open_page(shop.base, "/admin", phone=True)
    sign_in(page)
    wait_for_figures(page)
    shot(page, "admin-dashboard-phone")
    page.set_viewport_size({"width": 390, "height": 3000})
    expect(page.locator("#channels-chart svg")).to_have_attribute("width", re.compile(r"^3\d\d$"))
    shot(page, "admin-dashboard-phone-full")

    page.get_by_role("button", name="Sign out").click()

    expect(page.locator("#login-info")).to_have_text("You have signed out.")
    expect(page.get_by_label("Username")).to_be_focused()
    page.reload()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "tl_staff"]
    console.assert_clean({*SIGNED_OUT})
