"""``threadline staff …``: create, list, disable and enable the dashboard's staff users.

A password is asked twice with hidden input, or read from standard input with
``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | threadline staff create asha
--password-stdin``); it never appears on the command line, where ``ps`` and shell history
would show it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.config import Settings
from threadline.core.logging import configure_logging
from threadline.db import create_engine, create_sessionmaker, session_scope
from threadline.migrations import migrate
from threadline.ops import command
from threadline.staff import service

staff_app = typer.Typer(
    help="Staff users of the dashboard (/admin): a role apart from customers.",
    no_args_is_help=True,
)
console = Console()
T = TypeVar("T")


def _run(work: Callable[[AsyncSession, Settings], Awaitable[T]]) -> T:
    """``work`` in one unit of work on the migrated store; what goes wrong is one line, exit 1."""
    settings = command.load_settings()
    configure_logging(log_format=settings.log_format, level="WARNING")

    async def main() -> T:
        engine = create_engine(settings)
        try:
            await migrate(engine)
            async with session_scope(create_sessionmaker(engine)) as db:
                return await work(db, settings)
        finally:
            await engine.dispose()

    command.check_store(settings)
    return command.run(settings, main)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            console.print("[red]error:[/red] no password on standard input")
            raise typer.Exit(2)
        return password
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@staff_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="3–32 of a-z 0-9 . _ - (stored in lower case).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a staff user who can sign in to /admin."""
    password = _password(password_stdin)

    async def work(db: AsyncSession, settings: Settings) -> str:
        user = await service.create(db, settings, username=username, password=password)
        return user.username

    name = _run(work)
    console.print(f"staff user {name} created; sign in at /admin")


@staff_app.command("list")
def list_staff() -> None:
    """List staff users: created, last sign-in and whether they are disabled."""

    async def work(db: AsyncSession, _: Settings) -> list[tuple[str, str, str, str]]:
        return [
            (
                u.username,
                _when(u.created_at),
                _when(u.last_login_at),
                "disabled" if u.disabled_at else "active",
            )
            for u in await service.list_all(db)
        ]

    rows = _run(work)
    if not rows:
        console.print("no staff users yet: threadline staff create USERNAME")
        return
    table = Table("username", "created", "last sign-in", "status")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@staff_app.command("disable")
def disable(username: str) -> None:
    """Stop a staff user from signing in, and sign them out everywhere now."""

    async def work(db: AsyncSession, _: Settings) -> int:
        return await service.set_disabled(db, username, disabled=True)

    ended = _run(work)
    console.print(f"{username} is disabled; {ended} sign-in(s) ended")


@staff_app.command("enable")
def enable(username: str) -> None:
    """Let a disabled staff user sign in again."""

    async def work(db: AsyncSession, _: Settings) -> int:
        return await service.set_disabled(db, username, disabled=False)

    _run(work)
    console.print(f"{username} can sign in again")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"
