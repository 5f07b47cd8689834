"""``threadline doctor`` says in plain words what is wrong with the settings, store and channels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.channels.platform import Recorded, serve
from threadline.cli import app as cli
from threadline.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("SERVICE_API_KEY", "a-long-random-service-key-0123456789")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def doctor(*args: str) -> tuple[int, str]:
    """Exit code and output, with rich's line wrapping folded back into single spaces."""
    result = runner.invoke(cli, ["doctor", *args])
    return result.exit_code, " ".join(result.output.split())


def test_a_migrated_store_with_nothing_else_configured_is_healthy(
    database_url: str, env: pytest.MonkeyPatch
) -> None:
    env.setenv("DATABASE_URL", database_url)
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    code, output = doctor()
    assert code == 0, output
    assert "store is reachable and its schema is current" in output
    assert "WhatsApp is not configured" in output
    assert "No problems found." in output


def test_an_empty_store_is_reported_as_created_on_start(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    (tmp_path / "new.db").touch()
    code, output = doctor()
    assert code == 0, output
    assert "reachable but empty" in output


def test_an_unreachable_store_and_half_configured_channels_are_problems(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:9/nowhere")
    env.setenv("WHATSAPP_ACCESS_TOKEN", "token")
    env.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    env.delenv("SERVICE_API_KEY")
    code, output = doctor()
    assert code == 1, output
    assert "Cannot reach the postgresql store" in output
    assert (
        "WhatsApp is half configured: WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, "
        "WHATSAPP_VERIFY_TOKEN are empty" in output
    )
    assert "Telegram is half configured: TELEGRAM_WEBHOOK_SECRET is empty" in output
    assert "SERVICE_API_KEY is empty" in output
    assert "3 problem(s) to fix." in output


def test_a_setting_that_cannot_be_read_is_named(env: pytest.MonkeyPatch) -> None:
    env.setenv("DB_POOL_SIZE", "none")
    code, output = doctor()
    assert code == 1
    assert "DB_POOL_SIZE" in output


def test_online_checks_call_the_platforms_with_the_credentials(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    def ok(call: Recorded) -> object:
        return {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Shop"}}

    with serve(ok) as fake:
        env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
        env.setenv("TELEGRAM_API_BASE", fake.base)
        env.setenv("TELEGRAM_BOT_TOKEN", "123:secret-token")
        env.setenv("TELEGRAM_WEBHOOK_SECRET", "hook-secret")
        env.setenv("WHATSAPP_API_BASE", fake.base)
        env.setenv("WHATSAPP_ACCESS_TOKEN", "bad-token")
        env.setenv("WHATSAPP_PHONE_NUMBER_ID", "106540352242922")
        env.setenv("WHATSAPP_APP_SECRET", "app-secret")
        env.setenv("WHATSAPP_VERIFY_TOKEN", "verify")
        fake.fail_next(200, {"ok": True, "result": {"id": 1}})
        fake.fail_next(401, {"error": {"message": "Invalid OAuth access token", "code": 190}})
        code, output = doctor("--online")
    assert code == 1, output
    assert "127.0.0.1 accepted the credentials" in output
    assert "127.0.0.1 refused the credentials (401)" in output
    assert "secret-token" not in output
    paths = [c.path for c in fake.calls]
    assert paths == ["/bot123:secret-token/getMe", "/106540352242922"]
    assert fake.calls[1].headers["authorization"] == "Bearer bad-token"


def _production(env: pytest.MonkeyPatch, database_url: str) -> None:
    env.setenv("DATABASE_URL", database_url)
    env.setenv("ENVIRONMENT", "production")
    env.setenv("OTP_SENDER", "whatsapp")
    env.setenv("WHATSAPP_ACCESS_TOKEN", "token")
    env.setenv("WHATSAPP_PHONE_NUMBER_ID", "106540352242922")
    env.setenv("WHATSAPP_APP_SECRET", "app-secret")
    env.setenv("WHATSAPP_VERIFY_TOKEN", "verify")


def test_production_without_a_metrics_token_is_warned_about(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    _production(env, f"sqlite:///{tmp_path / 'x.db'}")
    code, output = doctor()
    assert code == 0, output  # a warning: the service works, its metrics are closed
    assert "METRICS_TOKEN is empty: in production /metrics stays closed (403)" in output

    env.setenv("METRICS_TOKEN", "a-long-random-metrics-token-0123456789")
    get_settings.cache_clear()
    code, output = doctor()
    assert code == 0, output
    assert "METRICS_TOKEN is empty" not in output
    assert "METRICS_TOKEN is set" in output


def test_outside_production_an_open_metrics_endpoint_is_fine(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    code, output = doctor()
    assert code == 0, output
    assert "/metrics is open without a token (development only)" in output
