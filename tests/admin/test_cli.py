"""``threadline staff …`` on a SQLite file, then signing in with what it created.

Plain (sync) tests: the CLI runs its own event loop with ``asyncio.run``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from tests.conftest import make_settings, run_sync
from threadline.app import create_app
from threadline.cli import app as cli
from threadline.config import get_settings

runner = CliRunner()
PASSWORD = "ledger lantern 42"


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "1024")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, " ".join(result.output.split())


def sign_in(url: str, username: str, password: str) -> int:
    async def attempt() -> int:
        application = create_app(make_settings(url))
        transport = httpx.ASGITransport(app=application)
        async with (
            LifespanManager(application),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            response = await client.post(
                "/admin/api/login", json={"username": username, "password": password}
            )
            return response.status_code

    return run_sync(attempt())


def test_create_from_stdin_then_sign_in(sqlite_url: str):
    code, output = run("staff", "create", "Asha", "--password-stdin", stdin=PASSWORD + "\n")

    assert code == 0, output
    assert "staff user asha created" in output
    assert PASSWORD not in output
    assert sign_in(sqlite_url, "asha", PASSWORD) == 200
    assert sign_in(sqlite_url, "asha", "wrong password here") == 401


def test_create_asks_for_the_password_twice_without_echoing_it(sqlite_url: str):
    code, output = run("staff", "create", "ravi", stdin=f"{PASSWORD}\n{PASSWORD}\n")

    assert code == 0, output
    assert output.count("Password") >= 1
    assert "Repeat for confirmation" in output
    assert PASSWORD not in output
    assert sign_in(sqlite_url, "ravi", PASSWORD) == 200


def test_two_different_passwords_are_asked_again(sqlite_url: str):
    code, output = run(
        "staff", "create", "ravi", stdin=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "do not match" in output.lower()


@pytest.mark.usefixtures("sqlite_url")
@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("asha", "password", "too easy to guess"),
        ("asha", "12345678901", "only digits"),
        ("a", PASSWORD, "3 to 32 characters"),
        ("has space", PASSWORD, "3 to 32 characters"),
    ],
)
def test_bad_usernames_and_weak_passwords_are_refused(username: str, password: str, message: str):
    code, output = run("staff", "create", username, "--password-stdin", stdin=password + "\n")
    assert code == 1
    assert message in output
    assert run("staff", "list")[1].startswith("no staff users yet")


@pytest.mark.usefixtures("sqlite_url")
def test_a_taken_username_is_refused():
    assert run("staff", "create", "asha", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, output = run("staff", "create", "ASHA", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1
    assert "already exists" in output


@pytest.mark.usefixtures("sqlite_url")
def test_an_empty_stdin_is_refused():
    code, output = run("staff", "create", "asha", "--password-stdin", stdin="")
    assert code == 2
    assert "no password" in output


def test_list_disable_and_enable(sqlite_url: str):
    run("staff", "create", "ravi", "--password-stdin", stdin=PASSWORD + "\n")
    run("staff", "create", "asha", "--password-stdin", stdin=PASSWORD + "\n")
    assert sign_in(sqlite_url, "asha", PASSWORD) == 200

    code, output = run("staff", "list")
    assert code == 0
    assert output.index("asha") < output.index("ravi")
    assert "never" in output  # ravi has not signed in
    assert output.count("active") == 2

    code, output = run("staff", "disable", "asha")
    assert code == 0, output
    assert "asha is disabled; 1 sign-in(s) ended" in output
    assert "disabled" in run("staff", "list")[1]
    assert sign_in(sqlite_url, "asha", PASSWORD) == 401

    assert run("staff", "enable", "asha")[0] == 0
    assert sign_in(sqlite_url, "asha", PASSWORD) == 200


@pytest.mark.usefixtures("sqlite_url")
def test_disabling_an_unknown_user_says_so():
    code, output = run("staff", "disable", "nobody")
    assert code == 1
    assert "no staff user with that username" in output
