"""The seed document's three test cases, done through the pages in a real browser, on both
stores: a fresh kiosk login keeps its token in sessionStorage; a reload restores the session
without logging in again; the same phone on the website continues the same conversation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import new_phone
from tests.pages.browser import ConsoleLog, Site, log_in_by_phone, say, shot, token_of
from tests.pages.conftest import OpenPage

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SEED_PHONE = "+919876543210"


def test_fresh_kiosk_login_keeps_the_token_in_session_storage(
    any_store_site: Site, open_page: OpenPage, console: ConsoleLog, request: pytest.FixtureRequest
):
    page = open_page(any_store_site.base, "/kiosk")
    expect(page.get_by_role("heading", name="Welcome to Threadline")).to_be_visible()
    assert token_of(page) is None
    if "sqlite" in request.node.callspec.id:
        shot(page, "kiosk-login")

    log_in_by_phone(page, "98765 43210")

    token = token_of(page)
    assert token
    assert any("[KioskChat] ✅ New session created" in line for line in console.info)
    session = any_store_site.session(token).json()
    assert session["customer_id"] == "C10001"
    assert session["phone"] == SEED_PHONE
    assert session["channel"] == "kiosk"
    assert "kiosk" in session["data"]["channels"]
    console.assert_clean()


def test_reload_restores_the_session_without_logging_in_again(
    any_store_site: Site, open_page: OpenPage, console: ConsoleLog
):
    page = open_page(any_store_site.base, "/kiosk")
    log_in_by_phone(page, new_phone())
    say(page, "Show me shirts")
    token = token_of(page)
    session_id = any_store_site.session(str(token)).json()["session_id"]

    page.reload()

    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Threadline")).to_be_hidden()
    expect(page.locator(".chat-log .message.user .message-text").first).to_have_text(
        "Show me shirts"
    )
    assert any("[KioskChat] ✅ Session restored successfully" in line for line in console.info)
    assert token_of(page) == token
    assert any_store_site.restore(str(token)).json()["session"]["session_id"] == session_id
    console.assert_clean()


def test_same_phone_on_the_website_continues_the_kiosk_conversation(
    any_store_site: Site, open_page: OpenPage, console: ConsoleLog
):
    phone = new_phone()
    kiosk = open_page(any_store_site.base, "/kiosk")
    log_in_by_phone(kiosk, phone)
    say(kiosk, "Kurtas for women")
    kiosk_session = any_store_site.session(str(token_of(kiosk))).json()

    web = open_page(any_store_site.base, "/", phone=True)
    log_in_by_phone(web, phone)

    log = web.locator(".chat-log")
    expect(log.locator(".message.user").first).to_contain_text("Kurtas for women")
    expect(log.locator(".message.user").first).to_contain_text("on the store kiosk")
    expect(log.locator(".message.assistant").last).to_contain_text("Welcome back")
    expect(log.locator(".message.assistant").last).to_contain_text("store kiosk")
    web_token = token_of(web)
    assert web_token
    assert web_token != token_of(kiosk)
    session = any_store_site.session(web_token).json()
    assert session["session_id"] == kiosk_session["session_id"]
    assert session["channel"] == "web"
    assert session["data"]["channels"] == ["kiosk", "web"]
    assert session["metadata"]["channels"] == ["kiosk", "web"]
    console.assert_clean()
