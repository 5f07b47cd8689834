"""What every ``threadline`` command does before and around its work, in plain words.

A command's user is an operator at a terminal (or a process manager reading its output): a
setting with a wrong value, a store that cannot be written, a store that fails half-way or a
refused operation is one line saying what is wrong and what to do, and exit status 1 — never a
traceback.  With ``LOG_FORMAT=json`` the line is a JSON log event (``command.failed``), so a log
pipeline that parses every line keeps working.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import structlog
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from threadline.config import Settings, get_settings
from threadline.core.errors import AppError
from threadline.core.logging import configure_logging
from threadline.ops import preflight

T = TypeVar("T")
console = Console()


def settings_problems(exc: ValidationError) -> list[str]:
    """One line per wrong setting: its environment name and what is wrong (never its value,
    which may be a secret)."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]).upper() or "settings"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}")
    return problems


def load_settings() -> Settings:
    """The settings, or each wrong one on its own line and exit 1."""
    try:
        return get_settings()
    except ValidationError as exc:
        for problem in settings_problems(exc):
            fail_line(f"setting {problem}", json_logs=_json_logs_asked())
        raise typer.Exit(1) from None


def check_store(settings: Settings) -> None:
    """One line and exit 1 when the store cannot be written (see ops/preflight.py)."""
    try:
        preflight.check_store(settings)
    except preflight.StoreNotUsable as exc:
        fail(str(exc), settings)


def run(settings: Settings, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main``; a refused operation (AppError) or a store that fails half-way (the disk
    filled up) is one line and exit 1; anything else is a bug and keeps its traceback."""
    try:
        return asyncio.run(main())
    except AppError as exc:
        fail(exc.message, settings)
    except Exception as exc:
        message = preflight.describe(exc)
        if message is None:
            raise
        fail(message, settings)


def fail(message: str, settings: Settings) -> NoReturn:
    fail_line(message, json_logs=settings.log_format == "json")
    raise typer.Exit(1)


def fail_line(message: str, *, json_logs: bool) -> None:
    if json_logs:
        configure_logging(log_format="json")
        structlog.get_logger().error("command.failed", error=message)
    else:
        console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)


def _json_logs_asked() -> bool:
    # The settings could not be read, so LOG_FORMAT is looked at in the environment only.
    return os.environ.get("LOG_FORMAT", "").strip().lower() == "json"
