"""``threadline doctor``: checks the settings, the store and the channel credentials, and says
what is wrong in plain words.

Each check gives a :class:`Finding`: ``ok``, ``warn`` (works, but probably not what you want)
or ``fail`` (something will not work).  Nothing is changed: the store is read (its schema
revision), never migrated.  With ``online=True`` the configured WhatsApp, Telegram and model
endpoints are also called once each with their credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from threadline.config import Settings
from threadline.db import create_engine
from threadline.migrations import alembic_config
from threadline.ops import preflight

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Finding:
    area: str
    level: Level
    message: str


async def diagnose(settings: Settings, *, online: bool = False) -> list[Finding]:
    """Every check, in the order an operator would fix things."""
    findings = [*_secrets(settings), _metrics(settings), *_sqlite_file(settings)]
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


def _sqlite_file(settings: Settings) -> list[Finding]:
    """Try what the server will do (see ops/preflight.py) rather than ask ``os.access``, which
    says yes to root whatever the permissions and knows nothing of full disks."""
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        return []
    database = make_url(url).database
    if not database or database == ":memory:":
        return []
    path = Path(database)
    try:
        if path.parent.exists():
            preflight.check_sqlite(path)
        else:  # not created here: can the nearest existing folder hold it?
            parent = next((p for p in path.parent.parents if p.exists()), Path("/"))
            preflight.probe_folder(parent)
            return [Finding("store", "ok", f"SQLite file {path} will be created on start.")]
    except preflight.StoreNotUsable as exc:
        message = str(exc)
        return [Finding("store", "fail", message[:1].upper() + message[1:] + ".")]
    return []


async def _store(settings: Settings) -> list[Finding]:
    engine = create_engine(settings)
    kind = engine.dialect.name
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    except Exception as exc:  # any driver's way of saying "cannot reach it"
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return [Finding("store", "fail", f"Cannot reach the {kind} store: {reason}")]
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current is None:
        return [
            Finding(
                "store",
                "warn",
                f"The {kind} store is reachable but empty: `threadline serve` (or `threadline "
                "migrate`) will create the schema.",
            )
        ]
    if current != head:
        return [
            Finding(
                "store",
                "warn",
                f"The {kind} store's schema is at revision {current}, this version needs "
                f"{head}: it is upgraded on the next start (or `threadline migrate`).",
            )
        ]
    return [Finding("store", "ok", f"The {kind} store is reachable and its schema is current.")]


def _channels(settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    wa = {
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token.get_secret_value(),
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_APP_SECRET": settings.whatsapp_app_secret.get_secret_value(),
        "WHATSAPP_VERIFY_TOKEN": settings.whatsapp_verify_token.get_secret_value(),
    }
    findings.append(_channel("WhatsApp", wa))
    tg = {
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value(),
        "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret.get_secret_value(),
    }
    findings.append(_channel("Telegram", tg))
    if settings.llm_base_url and not settings.llm_model:
        findings.append(Finding("model", "fail", "LLM_BASE_URL is set but LLM_MODEL is empty."))
    elif settings.llm_base_url:
        findings.append(
            Finding("model", "ok", f"Model {settings.llm_model} at {settings.llm_base_url}.")
        )
    else:
        findings.append(Finding("model", "ok", "No language model: the agent understands offline."))
    return findings


def _channel(name: str, values: dict[str, str]) -> Finding:
    missing = [k for k, v in values.items() if not v]
    if len(missing) == len(values):
        return Finding(name, "ok", f"{name} is not configured (its webhook refuses every call).")
    if missing:
        return Finding(
            name,
            "fail",
            f"{name} is half configured: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} empty.",
        )
    return Finding(name, "ok", f"{name} settings are all present.")


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
    return findings


async def _call(http: httpx.AsyncClient, area: str, url: str, bearer: str | None) -> Finding:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    # The URL may hold a token (Telegram's): only its host is ever shown.
    host = httpx.URL(url).host
    try:
        response = await http.get(url, headers=headers)
    except httpx.HTTPError as exc:
        return Finding(area, "fail", f"Cannot reach {host}: {type(exc).__name__}.")
    if response.status_code in (401, 403):
        return Finding(area, "fail", f"{host} refused the credentials ({response.status_code}).")
    if not response.is_success:
        return Finding(area, "fail", f"{host} answered {response.status_code}.")
    return Finding(area, "ok", f"{host} accepted the credentials.")
