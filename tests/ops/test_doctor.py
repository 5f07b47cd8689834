"""``threadline doctor`` says in plain words what is wrong with the settings, store and channels."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.channels.platform import Recorded, serve
from tests.e2e.test_server_process import THREADLINE, free_port
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
    # A lone access token sends nothing, but nothing fails for it either: a warning.
    assert "! WhatsApp WhatsApp sends nothing: WHATSAPP_PHONE_NUMBER_ID is empty" in output
    assert "Telegram is half configured: TELEGRAM_WEBHOOK_SECRET is empty" in output
    assert "SERVICE_API_KEY is empty" in output
    assert "2 problem(s) to fix." in output


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
    where = fake.base.removeprefix("http://").rstrip("/")
    assert f"✓ Telegram {where} accepted the credentials" in output
    assert f"✗ WhatsApp {where} refused the credentials (401)" in output
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


# --- Nothing is changed -------------------------------------------------------------------


@pytest.mark.parametrize("folder_exists", [False, True], ids=["new-folder", "existing-folder"])
def test_a_sqlite_store_that_does_not_exist_yet_is_not_created(
    tmp_path: Path, env: pytest.MonkeyPatch, folder_exists: bool
) -> None:
    data = tmp_path / "newdir"
    if folder_exists:
        data.mkdir()
    env.delenv("DATABASE_URL", raising=False)
    env.setenv("DATA_DIR", str(data))
    code, output = doctor()
    assert code == 0, output
    assert "does not exist yet" in output, output
    assert "is reachable" not in output, output
    assert data.exists() == folder_exists
    assert not (data / "threadline.db").exists()


def test_an_existing_sqlite_store_is_read_without_being_changed(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "old.db"  # a rollback-journal file, as an older release left it
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('0001')")
        db.commit()
    before = database.read_bytes()
    env.setenv("DATABASE_URL", f"sqlite:///{database}")
    code, output = doctor()
    assert code == 0, output
    assert "schema is at revision 0001" in output, output
    assert database.read_bytes() == before  # not switched to WAL, no lock taken, nothing written
    assert [p.name for p in tmp_path.iterdir()] == ["old.db"]


# --- A DATABASE_URL that cannot be used ---------------------------------------------------

UNUSABLE_URLS = ["notaurl", "mysql://u@localhost/db", "postgresql://u@host:port/db"]


@pytest.mark.parametrize("url", UNUSABLE_URLS)
def test_a_database_url_that_cannot_be_used_is_one_plain_problem(
    env: pytest.MonkeyPatch, url: str
) -> None:
    env.setenv("DATABASE_URL", url)
    result = runner.invoke(cli, ["doctor"])
    output = " ".join(result.output.split())
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert result.exit_code == 1, output
    assert output.count("✗") == 1, output
    assert "sqlite:///" in output, output
    assert "postgresql://" in output, output


# --- A store that fails its check is not also reported healthy ----------------------------

# Root writes anywhere; without these capabilities the permissions apply to it too.
AS_SERVICE_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
)


def test_a_read_only_data_folder_is_one_problem_and_not_also_healthy(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'threadline.db'}",
        "SERVICE_API_KEY": "a-long-random-service-key-0123456789",
    }
    migrated = subprocess.run(
        [THREADLINE, "migrate"], env=environ, capture_output=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            [*AS_SERVICE_USER, THREADLINE, "doctor"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        folder.chmod(0o755)
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    assert f"✗ store The data folder {folder} is read-only" in output, output
    assert output.count(" store ") == 1, output  # no "reachable", no second failure
    assert "1 problem(s) to fix." in output, output


# --- Online checks ------------------------------------------------------------------------


def test_online_with_nothing_to_call_says_so(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    _, plain = doctor()
    code, output = doctor("--online")
    assert code == 0, output
    assert output != plain
    assert (
        "online Nothing to check: no Telegram bot, WhatsApp sending or language model "
        "is configured." in output
    ), output


def test_an_unreachable_model_is_named_by_host_and_port_without_credentials(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    port = free_port()
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    env.setenv("LLM_BASE_URL", f"http://someone:s3cret-pw@127.0.0.1:{port}/v1")
    env.setenv("LLM_MODEL", "llama3")
    code, output = doctor("--online")
    assert code == 1, output
    assert f"model Cannot reach 127.0.0.1:{port}" in output, output
    assert "s3cret-pw" not in output, output
    assert "Nothing to check" not in output, output


# --- WhatsApp: what each setting enables --------------------------------------------------

OTP_ONLY = {
    "OTP_SENDER": "whatsapp",
    "WHATSAPP_ACCESS_TOKEN": "token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
}
SENDING = {"WHATSAPP_ACCESS_TOKEN": "token", "WHATSAPP_PHONE_NUMBER_ID": "106540352242922"}
WEBHOOK = {"WHATSAPP_APP_SECRET": "app-secret", "WHATSAPP_VERIFY_TOKEN": "verify"}


@pytest.mark.parametrize(
    ("settings", "exit_code", "said"),
    [
        pytest.param(
            OTP_ONLY,
            0,
            [
                "✓ WhatsApp WhatsApp sends one-time codes (OTP_SENDER=whatsapp).",
                "✓ WhatsApp WhatsApp chat is off: WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN "
                "are empty, so its webhook refuses every call",
            ],
            id="one-time-codes-only",
        ),
        pytest.param(
            {**OTP_ONLY, **WEBHOOK},
            0,
            [
                "WhatsApp sends one-time codes (OTP_SENDER=whatsapp) and replies to chats.",
                "✓ WhatsApp WhatsApp chat is on: Meta's verification call is answered and "
                "signed deliveries are accepted.",
            ],
            id="everything",
        ),
        pytest.param(
            WEBHOOK,
            1,
            [
                "✗ WhatsApp WhatsApp messages are accepted but never answered: "
                "WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID are empty."
            ],
            id="chat-without-sending",
        ),
        pytest.param(
            {**SENDING, "WHATSAPP_VERIFY_TOKEN": "verify"},
            1,
            ["✗ WhatsApp WHATSAPP_APP_SECRET is empty: every delivery is refused"],
            id="no-app-secret",
        ),
        pytest.param(
            {**SENDING, "WHATSAPP_APP_SECRET": "app-secret"},
            0,
            ["! WhatsApp WHATSAPP_VERIFY_TOKEN is empty: deliveries are accepted, but Meta's"],
            id="no-verify-token",
        ),
        pytest.param(
            {"WHATSAPP_ACCESS_TOKEN": "token"},
            0,
            ["! WhatsApp WhatsApp sends nothing: WHATSAPP_PHONE_NUMBER_ID is empty"],
            id="half-of-sending",
        ),
        pytest.param(
            SENDING,
            0,
            ["! WhatsApp WhatsApp can send, but nothing uses it: OTP_SENDER is dev"],
            id="sending-unused",
        ),
    ],
)
def test_whatsapp_findings_say_what_each_setting_enables(
    tmp_path: Path,
    env: pytest.MonkeyPatch,
    settings: dict[str, str],
    exit_code: int,
    said: list[str],
) -> None:
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    for name, value in settings.items():
        env.setenv(name, value)
    code, output = doctor()
    assert code == exit_code, output
    for sentence in said:
        assert sentence in output, output
    assert "half configured" not in output, output
