"""``threadline doctor``: checks the settings, the store and the channel credentials, and says
what is wrong in plain words.

Each check gives a :class:`Finding`: ``ok``, ``warn`` (works, but probably not what you want)
or ``fail`` (something will not work).  Nothing is changed: a SQLite file that does not exist
is not created (nor its folder) — only whether it could be is tried — and an existing one is
only read (its schema revision: no WAL switch, no write lock); PostgreSQL is read, never
migrated.  With ``online=True`` the configured WhatsApp, Telegram and model endpoints are also
called once each with their credentials.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import sqlalchemy
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from threadline.config import Settings
from threadline.db import create_engine
from threadline.migrations import alembic_config
from threadline.ops import preflight

Level = Literal["ok", "warn", "fail"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Finding:
    area: str
    level: Level
    message: str


async def diagnose(settings: Settings, *, online: bool = False) -> list[Finding]:
    """Every check, in the order an operator would fix things."""
    findings = [*_secrets(settings), _metrics(settings)]
    findings += await _store(settings)
    findings += _channels(settings)
    if online:
        async with httpx.AsyncClient(timeout=10) as http:
            findings += await _online(settings, http)
    return findings


def _secrets(settings: Settings) -> list[Finding]:
    key = settings.service_api_key.get_secret_value()
    if not key:
        return [
            Finding(
                "service key",
                "warn",
                "SERVICE_API_KEY is empty: every call from a trusted internal caller "
                "(X-Service-Key) is refused with 401.",
            )
        ]
    if len(key) < 16:
        return [
            Finding("service key", "warn", "SERVICE_API_KEY is short: use 32+ random characters.")
        ]
    return [Finding("service key", "ok", "SERVICE_API_KEY is set.")]


def _metrics(settings: Settings) -> Finding:
    token = settings.metrics_token.get_secret_value()
    if token:
        if len(token) < 16:
            return Finding("metrics", "warn", "METRICS_TOKEN is short: use 32+ random characters.")
        return Finding(
            "metrics", "ok", "METRICS_TOKEN is set: scrapes send Authorization: Bearer <token>."
        )
    if settings.environment == "production":
        return Finding(
            "metrics",
            "warn",
            "METRICS_TOKEN is empty: in production /metrics stays closed (403) until it is set; "
            "set it and give the scraper Authorization: Bearer <METRICS_TOKEN>.",
        )
    return Finding(
        "metrics", "ok", f"/metrics is open without a token ({settings.environment} only)."
    )


async def _store(settings: Settings) -> list[Finding]:
    url = make_url(settings.resolved_database_url)  # the settings checked it is usable
    if url.get_backend_name() == "sqlite":
        return await _sqlite(url)
    return await _postgres(settings)


async def _sqlite(url: URL) -> list[Finding]:
    """Try what the server will do (see ops/preflight.py) rather than ask ``os.access``, which
    says yes to root whatever the permissions and knows nothing of full disks; then read the
    schema revision of a file that is there."""
    if not url.database or url.database == ":memory:":
        return [Finding("store", "warn", "The SQLite store is in memory: it is lost on exit.")]
    path = Path(url.database)
    try:
        if path.parent.exists():
            preflight.check_sqlite(path)  # its folder exists: creates nothing but a probe
        else:  # not created here: can the nearest existing folder hold it?
            parent = next((p for p in path.parent.parents if p.exists()), Path("/"))
            preflight.probe_folder(parent)
    except preflight.StoreNotUsable as exc:
        # The server cannot start on it: its schema is beside the point.
        message = str(exc)
        return [Finding("store", "fail", message[:1].upper() + message[1:] + ".")]
    if not path.exists():
        it = "it" if path.parent.exists() else "its folder and it"
        return [
            Finding(
                "store",
                "ok",
                f"SQLite file {path} does not exist yet: `threadline serve` (or `threadline "
                f"migrate`) creates {it}, with the schema.",
            )
        ]
    try:
        current = await asyncio.to_thread(_sqlite_revision, path)
    except (sqlite3.Error, SQLAlchemyError) as exc:
        return [Finding("store", "fail", f"Cannot read the SQLite file {path}: {_first_line(exc)}")]
    return [_schema("sqlite", current)]


def _sqlite_revision(path: Path) -> str | None:
    """Read only, unlike the app's engine (WAL switch, BEGIN IMMEDIATE).  ``mode=rw`` rather
    than ``ro``: it never creates the file, and as the last connection it removes the -wal and
    -shm files it opened, where a read-only one would leave them behind."""
    uri = f"{path.resolve().as_uri()}?mode=rw"
    engine = sqlalchemy.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


async def _postgres(settings: Settings) -> list[Finding]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    except Exception as exc:  # any driver's way of saying "cannot reach it"
        return [Finding("store", "fail", f"Cannot reach the postgresql store: {_first_line(exc)}")]
    finally:
        await engine.dispose()
    return [_schema("postgresql", current)]


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _schema(kind: str, current: str | None) -> Finding:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current is None:
        return Finding(
            "store",
            "warn",
            f"The {kind} store is reachable but empty: `threadline serve` (or `threadline "
            "migrate`) will create the schema.",
        )
    if current != head:
        return Finding(
            "store",
            "warn",
            f"The {kind} store's schema is at revision {current}, this version needs "
            f"{head}: it is upgraded on the next start (or `threadline migrate`).",
        )
    return Finding("store", "ok", f"The {kind} store is reachable and its schema is current.")


def _channels(settings: Settings) -> list[Finding]:
    findings = _whatsapp(settings)
    tg = {
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value(),
        "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret.get_secret_value(),
    }
    findings.append(_channel("Telegram", tg))
    if settings.llm_base_url and not settings.llm_model:
        findings.append(Finding("model", "fail", "LLM_BASE_URL is set but LLM_MODEL is empty."))
    elif settings.llm_base_url:
        where = _address(settings.llm_base_url)
        findings.append(Finding("model", "ok", f"Model {settings.llm_model} at {where}."))
    else:
        findings.append(Finding("model", "ok", "No language model: the agent understands offline."))
    return findings


def _whatsapp(settings: Settings) -> list[Finding]:
    """WhatsApp is two capabilities with their own settings, each useful alone: sending (the
    access token and phone number id: one-time codes, and replies) and chat (the webhook: the
    app secret checks every delivery, the verify token answers Meta's registration call)."""
    sending = {
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token.get_secret_value(),
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
    }
    secret = bool(settings.whatsapp_app_secret.get_secret_value())
    verify = bool(settings.whatsapp_verify_token.get_secret_value())
    if not any(sending.values()) and not (secret or verify):
        return [
            Finding(
                "WhatsApp", "ok", "WhatsApp is not configured (its webhook refuses every call)."
            )
        ]
    return [_whatsapp_sending(settings, sending, chat=secret), _whatsapp_chat(secret, verify)]


def _whatsapp_sending(settings: Settings, sending: dict[str, str], *, chat: bool) -> Finding:
    codes = settings.otp_sender == "whatsapp"
    missing = [name for name, value in sending.items() if not value]
    if not missing:
        uses = [
            *(["one-time codes (OTP_SENDER=whatsapp)"] if codes else []),
            *(["replies to chats"] if chat else []),
        ]
        if uses:
            return Finding("WhatsApp", "ok", f"WhatsApp sends {' and '.join(uses)}.")
        return Finding(
            "WhatsApp",
            "warn",
            "WhatsApp can send, but nothing uses it: OTP_SENDER is dev and chat is off.",
        )
    empty = _are_empty(missing)
    if codes:  # the settings refuse this; said anyway should they ever let it through
        return Finding("WhatsApp", "fail", f"One-time codes cannot be sent: {empty}.")
    if chat:
        return Finding(
            "WhatsApp", "fail", f"WhatsApp messages are accepted but never answered: {empty}."
        )
    return Finding("WhatsApp", "warn", f"WhatsApp sends nothing: {empty}.")


def _whatsapp_chat(secret: bool, verify: bool) -> Finding:
    if secret and verify:
        return Finding(
            "WhatsApp",
            "ok",
            "WhatsApp chat is on: Meta's verification call is answered and signed deliveries "
            "are accepted.",
        )
    if secret:
        return Finding(
            "WhatsApp",
            "warn",
            "WHATSAPP_VERIFY_TOKEN is empty: deliveries are accepted, but Meta's verification "
            "call is refused (403), so the callback URL cannot be registered or changed.",
        )
    if verify:
        return Finding(
            "WhatsApp",
            "fail",
            "WHATSAPP_APP_SECRET is empty: every delivery is refused (401, its signature "
            "cannot be checked), so no WhatsApp message arrives.",
        )
    return Finding(
        "WhatsApp",
        "ok",
        "WhatsApp chat is off: WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are empty, so its "
        "webhook refuses every call (set both to answer shoppers on WhatsApp).",
    )


def _channel(name: str, values: dict[str, str]) -> Finding:
    missing = [k for k, v in values.items() if not v]
    if len(missing) == len(values):
        return Finding(name, "ok", f"{name} is not configured (its webhook refuses every call).")
    if missing:
        return Finding(
            name,
            "fail",
            f"{name} is half configured: {_are_empty(missing)}.",
        )
    return Finding(name, "ok", f"{name} settings are all present.")


def _are_empty(names: list[str]) -> str:
    return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} empty"


async def _online(settings: Settings, http: httpx.AsyncClient) -> list[Finding]:
    findings: list[Finding] = []
    token = settings.telegram_bot_token.get_secret_value()
    if token:
        findings.append(
            await _call(
                http, "Telegram", f"{settings.telegram_api_base.rstrip('/')}/bot{token}/getMe", None
            )
        )
    wa_token = settings.whatsapp_access_token.get_secret_value()
    if wa_token and settings.whatsapp_phone_number_id:
        url = f"{settings.whatsapp_api_base.rstrip('/')}/{settings.whatsapp_phone_number_id}"
        findings.append(await _call(http, "WhatsApp", url, wa_token))
    if settings.llm_base_url:
        key = settings.llm_api_key.get_secret_value() or None
        findings.append(
            await _call(http, "model", f"{settings.llm_base_url.rstrip('/')}/models", key)
        )
    if not findings:
        return [
            Finding(
                "online",
                "warn",
                "Nothing to check: no Telegram bot, WhatsApp sending or language model is "
                "configured.",
            )
        ]
    return findings


async def _call(http: httpx.AsyncClient, area: str, url: str, bearer: str | None) -> Finding:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    where = _address(url)
    try:
        response = await http.get(url, headers=headers)
    except httpx.HTTPError as exc:
        return Finding(area, "fail", f"Cannot reach {where}: {type(exc).__name__}.")
    if response.status_code in (401, 403):
        return Finding(area, "fail", f"{where} refused the credentials ({response.status_code}).")
    if not response.is_success:
        return Finding(area, "fail", f"{where} answered {response.status_code}.")
    return Finding(area, "ok", f"{where} accepted the credentials.")


def _address(url: str) -> str:
    """host:port only: the URL may hold credentials (user:password@) or a token in its path
    (Telegram's), and the port tells apart two services on one host."""
    parsed = httpx.URL(url)
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme)
    return f"{host}:{port}" if port else host
