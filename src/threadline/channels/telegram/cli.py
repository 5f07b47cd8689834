"""``threadline telegram …``: point the bot's webhook at this service and check on it.

``set-webhook`` registers the URL with the secret Telegram will echo in every call
(``TELEGRAM_WEBHOOK_SECRET``) and asks only for the updates the shop answers (messages and
button presses).  The bot token is never printed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import typer
from rich.console import Console
from rich.table import Table

from threadline.channels.telegram.adapter import bot_url
from threadline.config import Settings
from threadline.ops import command

WEBHOOK_PATH = "/channels/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]
# What setWebhook accepts as a secret_token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")

telegram_app = typer.Typer(
    help="The Telegram bot: register its webhook with Telegram and check on it.",
    no_args_is_help=True,
)
console = Console()


def _settings(ctx: typer.Context) -> Settings:
    # Tests (and embedding callers) pass their Settings as the click context's obj.
    obj = ctx.find_object(Settings)
    return obj if obj is not None else command.load_settings()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def webhook_url(url: str) -> str:
    """The service's address, completed with the webhook's path when only the site is given."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError("Telegram only calls https:// addresses; give the service's public URL.")
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def call_bot_api(settings: Settings, method: str, body: dict[str, Any] | None = None) -> Any:
    """One Bot API call's ``result``; raises :class:`typer.Exit` (1) with a clear message."""
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise _fail("TELEGRAM_BOT_TOKEN is not set.")
    try:
        response = httpx.post(bot_url(settings, method), json=body or {}, timeout=15.0)
    except httpx.TransportError as exc:
        # No str(exc): the address it might name carries the token.
        raise _fail(
            f"Telegram could not be reached at {settings.telegram_api_base} ({type(exc).__name__})."
        ) from None
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict) or not payload.get("ok") or not response.is_success:
        description = payload.get("description") if isinstance(payload, dict) else None
        detail = str(description or response.text[:200] or "no details").replace(token, "<token>")
        raise _fail(f"Telegram refused {method} (HTTP {response.status_code}): {detail}")
    return payload.get("result")


@telegram_app.command("set-webhook")
def set_webhook(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(
            help="The service's public https URL (its webhook path is added when missing)."
        ),
    ],
    drop_pending: Annotated[
        bool, typer.Option("--drop-pending", help="Discard updates Telegram is still holding.")
    ] = False,
) -> None:
    """Tell Telegram to send the bot's messages and button presses to this service."""
    settings = _settings(ctx)
    secret = settings.telegram_webhook_secret.get_secret_value()
    if not secret:
        raise _fail("TELEGRAM_WEBHOOK_SECRET is not set; the webhook would refuse every update.")
    if not _SECRET.fullmatch(secret):
        raise _fail(
            "TELEGRAM_WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-' for Telegram."
        )
    try:
        target = webhook_url(url)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    body = {
        "url": target,
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
        "drop_pending_updates": drop_pending,
    }
    call_bot_api(settings, "setWebhook", body)
    console.print(f"[green]Webhook set:[/green] {target}")
    console.print(
        f"Updates: {', '.join(ALLOWED_UPDATES)}"
        + (" (pending ones dropped)" if drop_pending else "")
    )


@telegram_app.command("webhook-info")
def webhook_info(ctx: typer.Context) -> None:
    """Show where Telegram sends the bot's updates, and its last delivery error."""
    result = call_bot_api(_settings(ctx), "getWebhookInfo")
    info: dict[str, Any] = result if isinstance(result, dict) else {}
    table = Table(title="Telegram webhook", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("url", info.get("url") or "(none: the bot is not receiving updates)")
    table.add_row("pending updates", str(info.get("pending_update_count", 0)))
    table.add_row("allowed updates", ", ".join(info.get("allowed_updates") or []) or "(all)")
    if info.get("max_connections"):
        table.add_row("max connections", str(info["max_connections"]))
    if info.get("last_error_date"):
        when = datetime.fromtimestamp(int(info["last_error_date"]), UTC).isoformat()
        table.add_row("last error", f"{when}: {info.get('last_error_message') or ''}")
    console.print(table)
