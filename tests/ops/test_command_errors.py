"""A command given wrong settings or an unusable store says so in one line and exits 1.

Run as an operator runs them: the real ``threadline`` executable in a clean environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_server_process import THREADLINE

COMMANDS = [
    ["serve"],
    ["migrate"],
    ["staff", "list"],
    ["sessions", "purge"],
    ["telegram", "webhook-info"],
]
WRONG = [
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: Input should be 'console' or 'json'"),
    ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL: should be one of DEBUG, INFO, WARNING"),
    ({"DATABASE_URL": "notaurl"}, "DATABASE_URL: not a database URL; use sqlite:///"),
    ({"DATABASE_URL": "mysql://u:hunter2@db/shop"}, "DATABASE_URL: 'mysql' is not a supported"),
    ({"DATABASE_URL": "postgresql://u:hunter2@db:port/shop"}, "DATABASE_URL: not a database URL"),
    (
        {"DATABASE_URL": "postgresql://u@db/shop?pgbouncer=true"},
        "DATABASE_URL: the option pgbouncer",
    ),
    ({"DATABASE_URL": "postgresql://u@db/shop?connect_timeout=soon"}, "connect_timeout after '?'"),
    ({"SESSION_IDLE_DAYS": "abc"}, "SESSION_IDLE_DAYS: Input should be a valid"),
    ({"DASHBOARD_TIMEZONE": "Mars/Olympus"}, "DASHBOARD_TIMEZONE:"),
]


def threadline(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[int, list[str]]:
    clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COLUMNS": "1000"}
    done = subprocess.run(
        [THREADLINE, *args],
        env={**clean, "DATA_DIR": str(tmp_path / "data"), **env},
        cwd=tmp_path,  # no .env of the repository's
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return done.returncode, output.splitlines()


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("env", "said"), WRONG, ids=lambda v: next(iter(v)) if isinstance(v, dict) else ""
)
def test_a_wrong_setting_is_one_line_naming_it(
    args: list[str], env: dict[str, str], said: str, tmp_path: Path
) -> None:
    code, lines = threadline(args, env, tmp_path)
    assert code == 1, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: setting "), lines
    assert said in lines[0], lines
    assert "hunter2" not in lines[0]  # a URL's password is never repeated
    assert not (tmp_path / "data").exists()  # nothing was created on the way


def test_with_json_logs_the_line_is_a_json_event(tmp_path: Path) -> None:
    code, lines = threadline(["serve"], {"LOG_FORMAT": "json", "LOG_LEVEL": "loud"}, tmp_path)
    assert code == 1, lines
    (line,) = lines
    event = json.loads(line)
    assert (event["event"], event["level"]) == ("command.failed", "error")
    assert event["error"].startswith("setting LOG_LEVEL: should be one of"), event


def test_a_store_that_cannot_be_created_is_one_line_for_staff_commands_too(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    for args in (["staff", "list"], ["staff", "disable", "asha"], ["migrate"]):
        code, lines = threadline(args, {"DATA_DIR": str(blocker / "data")}, tmp_path)
        assert code == 1, (args, lines)
        assert len(lines) == 1, (args, lines)
        assert f"the data folder {blocker / 'data'} cannot be created" in lines[0], (args, lines)


def test_lowercase_log_level_is_accepted_and_serve_refuses_zero_workers(tmp_path: Path) -> None:
    for level in ("warning", "warn", "Error"):
        code, lines = threadline(["migrate"], {"LOG_LEVEL": level}, tmp_path)
        assert code == 0, (level, lines)
    code, lines = threadline(["serve", "--workers", "0"], {}, tmp_path)
    assert code == 2, lines
    assert any("Invalid value for '--workers'" in line for line in lines), lines


@pytest.mark.parametrize(
    "args",
    [["serve", "--help"], ["staff", "--help"], ["telegram", "set-webhook", "--help"]],
    ids=" ".join,
)
def test_help_is_shown_whatever_the_settings(args: list[str], tmp_path: Path) -> None:
    # The help is how one finds out what to fix.
    code, lines = threadline(args, {"LOG_LEVEL": "verbose"}, tmp_path)
    assert code == 0, lines
    assert any(line.strip().startswith("Usage: threadline") for line in lines), lines
