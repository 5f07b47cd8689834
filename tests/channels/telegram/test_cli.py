"""``threadline telegram set-webhook`` and ``webhook-info`` against a local Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.channels.platform import FakePlatform, serve
from tests.channels.telegram.helpers import SECRET, TOKEN, bot_api, method_of
from tests.conftest import make_settings
from threadline.channels.telegram.cli import telegram_app
from threadline.cli import app as threadline_cli
from threadline.config import Settings

runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    with serve(ok=bot_api) as platform:
        yield platform


def configured(fake: FakePlatform, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_api_base": fake.base,
        "telegram_bot_token": TOKEN,
        "telegram_webhook_secret": SECRET,
    }
    values.update(overrides)
    return make_settings("sqlite://", **values)


def test_set_webhook_registers_the_url_with_the_secret(fake: FakePlatform) -> None:
    result = runner.invoke(
        telegram_app,
        ["set-webhook", "https://shop.example.com/channels/telegram/webhook"],
        obj=configured(fake),
    )
    assert result.exit_code == 0, result.output
    assert "Webhook set" in result.output
    [call] = fake.calls
    assert call.path == f"/bot{TOKEN}/setWebhook"
    assert call.body == {
        "url": "https://shop.example.com/channels/telegram/webhook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
        "drop_pending_updates": False,
    }
    assert TOKEN not in result.output
    assert SECRET not in result.output


def test_set_webhook_adds_the_path_to_a_bare_site_and_can_drop_pending(
    fake: FakePlatform,
) -> None:
    result = runner.invoke(
        telegram_app,
        ["set-webhook", "https://shop.example.com", "--drop-pending"],
        obj=configured(fake),
    )
    assert result.exit_code == 0, result.output
    assert fake.calls[0].body["url"] == "https://shop.example.com/channels/telegram/webhook"
    assert fake.calls[0].body["drop_pending_updates"] is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"telegram_bot_token": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"telegram_webhook_secret": ""}, "TELEGRAM_WEBHOOK_SECRET is not set"),
        ({"telegram_webhook_secret": "has spaces!"}, "TELEGRAM_WEBHOOK_SECRET must be"),
    ],
)
def test_set_webhook_refuses_without_its_settings(
    fake: FakePlatform, overrides: dict[str, Any], message: str
) -> None:
    result = runner.invoke(
        telegram_app, ["set-webhook", "https://shop.example.com"], obj=configured(fake, **overrides)
    )
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert fake.calls == []


def test_set_webhook_refuses_a_plain_http_url(fake: FakePlatform) -> None:
    result = runner.invoke(
        telegram_app, ["set-webhook", "http://shop.example.com"], obj=configured(fake)
    )
    assert result.exit_code == 1
    assert "https://" in result.output
    assert fake.calls == []


def test_telegrams_refusal_is_shown_and_exits_1(fake: FakePlatform) -> None:
    fake.fail_next(
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: bad webhook: HTTPS required"},
    )
    result = runner.invoke(
        telegram_app, ["set-webhook", "https://shop.example.com"], obj=configured(fake)
    )
    assert result.exit_code == 1
    assert "bad webhook" in " ".join(result.output.split())
    assert TOKEN not in result.output


def test_an_unreachable_api_exits_1_without_the_token(fake: FakePlatform) -> None:
    settings = configured(fake, telegram_api_base="http://127.0.0.1:9")
    result = runner.invoke(telegram_app, ["set-webhook", "https://shop.example.com"], obj=settings)
    assert result.exit_code == 1
    assert "could not be reached" in result.output
    assert TOKEN not in result.output


def test_webhook_info_shows_the_url_and_last_error(fake: FakePlatform) -> None:
    result = runner.invoke(telegram_app, ["webhook-info"], obj=configured(fake))
    assert result.exit_code == 0, result.output
    assert [method_of(c) for c in fake.calls] == ["getWebhookInfo"]
    output = " ".join(result.output.split())
    assert "shop.example.com" in output
    assert "502 Bad Gateway" in output
    assert "message, callback_query" in output


def test_the_commands_are_threadline_telegram(fake: FakePlatform) -> None:
    result = runner.invoke(
        threadline_cli,
        ["telegram", "set-webhook", "https://shop.example.com"],
        obj=configured(fake),
    )
    assert result.exit_code == 0, result.output
    assert [method_of(c) for c in fake.calls] == ["setWebhook"]
