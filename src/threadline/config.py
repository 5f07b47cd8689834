"""Settings, read from the environment (and a ``.env`` file) with pydantic-settings.

Names match ``API.md``; every setting is documented in the README's configuration table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from threadline.core.localdays import zone

_URL_FORMS = "use sqlite:///path/to/threadline.db or postgresql://user:password@host:5432/dbname"
# What a PostgreSQL URL may carry after "?" (see db.async_url and db.create_engine).
_PG_OPTIONS = (
    "sslmode",  # libpq's name for asyncpg's ssl
    "ssl",
    "target_session_attrs",
    "connect_timeout",  # seconds; instead of DB_CONNECT_TIMEOUT_SECONDS
    "application_name",
)
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_PLACEHOLDERS = {"change-me", "changeme", "secret", "dev", "development", "test"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    data_dir: Path = Path("data")
    service_api_key: SecretStr = SecretStr("")

    session_idle_days: float = Field(7, gt=0)
    session_max_age_days: float = Field(90, gt=0)
    # Sliding expiry is written at most this often per session and per token, so a read is
    # not a write; the session stays valid at least until the expires_at it reported.
    session_touch_seconds: int = Field(60, ge=0)
    session_purge_interval_seconds: float = Field(3600, ge=0)
    # Authenticated tokens are cached per process (see sessions/cache.py); 0 turns it off.
    session_cache_seconds: float = Field(60, ge=0)

    load_demo_data: bool = True
    demo_customers: int = Field(200, ge=0)
    demo_products: int = Field(1200, ge=0)

    # Commerce.  Reserve-in-store holds stock this long, then puts it back on sale.
    reservation_hold_hours: float = Field(2, gt=0)
    order_release_interval_seconds: float = Field(60, ge=0)
    return_window_days: int = Field(30, ge=0)
    # The built-in simulated gateway declines card payments above this many rupees (0: never)
    # and any payment whose token is "tok_decline", so the decline path can be tried for real.
    payment_card_limit_inr: int = Field(10_000, ge=0)
    # Loyalty points: what one point is worth and how much of an order they may pay.
    loyalty_point_value_paise: int = Field(100, gt=0)
    loyalty_max_redeem_percent: int = Field(20, ge=0, le=100)

    max_body_bytes: int = Field(1_048_576, gt=0)
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    access_log: bool = True
    # /metrics: with a token, a scrape needs "Authorization: Bearer <token>"; without one it is
    # open in development and test, and closed in production.
    metrics_token: SecretStr = SecretStr("")
    # On SIGTERM the server stops accepting connections and gives the requests in flight, and
    # the channel worker the messages it is on, this long (from the signal) to finish.
    shutdown_grace_seconds: int = Field(20, ge=1, le=600)

    db_pool_size: int = Field(10, ge=1)
    db_pool_timeout: float = Field(10, gt=0)
    # How long opening a PostgreSQL connection may take before the request gets a 503.
    db_connect_timeout_seconds: float = Field(5, gt=0)
    db_echo: bool = False
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = "NORMAL"
    sqlite_busy_timeout_ms: int = Field(10_000, ge=0)
    sqlite_readers: int = Field(4, ge=1)

    # The website's public address (what a kiosk's QR code opens on the phone); empty: the
    # address the request came in on.
    public_base_url: str = ""
    # Origins allowed to call the API from a browser (comma-separated); empty: same origin only.
    cors_origins: str = ""
    # Where OTP codes go: "dev" (a file in DATA_DIR) or "whatsapp" (the Cloud API below).
    otp_sender: Literal["dev", "whatsapp"] = "dev"
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_access_token: SecretStr = SecretStr("")
    whatsapp_phone_number_id: str = ""
    # The WhatsApp webhook: the app secret that signs deliveries (X-Hub-Signature-256) and the
    # token Meta's verification call must echo.  Empty: the webhook refuses every call.
    whatsapp_app_secret: SecretStr = SecretStr("")
    whatsapp_verify_token: SecretStr = SecretStr("")
    # The Telegram bot: its token (for sending) and the secret Telegram echoes in
    # X-Telegram-Bot-Api-Secret-Token.  Empty secret: the webhook refuses every call.
    telegram_api_base: str = "https://api.telegram.org"
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    # Messaging channels: how often a reply is tried before it is given up (5xx, 429 and network
    # errors are retried with exponential backoff from this base, at most 5 minutes apart: the
    # default 12 tries ride out about 18 minutes of platform trouble; a 4xx is not retried),
    # and how often answering a message is tried before the shopper gets an apology.
    channel_send_attempts: int = Field(12, ge=1, le=50)
    channel_retry_base_seconds: float = Field(1.0, gt=0)
    channel_answer_attempts: int = Field(4, ge=1, le=20)
    # A message (or reply) being handled is claimed for this long; a server that dies holding
    # it gives it up only then, and another process takes it over.
    channel_lease_seconds: float = Field(120, ge=5, le=3600)
    # Answer and send channel messages in this process.  Off: this process only acknowledges
    # webhooks (another process with it on answers them; they wait durably in the store).
    channel_worker: bool = True
    # Answered messages, sent replies and delivery reports are kept this long, then purged.
    channel_retention_days: int = Field(30, ge=1)

    # The sales agent.  It understands shoppers offline; with LLM_BASE_URL set it asks any
    # OpenAI-compatible chat-completions endpoint first and falls back to the offline path on
    # a timeout, an error or an answer it cannot use.
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = ""
    llm_timeout_seconds: float = Field(8.0, gt=0)
    # Let the model also reword the agent's replies (facts and figures are checked first).
    llm_phrasing: bool = True
    # A chat turn waits at most this long for the earlier turns of its session; a turn left
    # unfinished that long (its server died) is skipped.
    chat_turn_timeout_seconds: float = Field(20.0, gt=0)
    # Recent turns kept in session.data.chat_context; older ones live in chat_turns only.
    chat_context_turns: int = Field(12, ge=2, le=100)

    argon2_time_cost: int = Field(3, ge=1)
    argon2_memory_kib: int = Field(65_536, ge=8)
    argon2_parallelism: int = Field(1, ge=1)

    # Staff dashboard (/admin).  Its days are calendar days in this time zone; a staff sign-in
    # lasts this many hours; a size at or below the threshold in a store is a stock alert;
    # activity and searches that found nothing are kept this many days for the figures.
    dashboard_timezone: str = "Asia/Kolkata"
    staff_session_hours: float = Field(12, gt=0, le=168)
    stock_alert_threshold: int = Field(2, ge=0)
    dashboard_retention_days: int = Field(400, ge=1)

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        # The URL itself is not repeated in the message: it may hold a password.
        try:
            backend = make_url(value).get_backend_name()
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise ValueError(f"not a database URL; {_URL_FORMS}") from None
        if backend not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"{backend!r} is not a supported database; {_URL_FORMS}")
        if backend != "sqlite":
            _check_pg_options(dict(make_url(value).query))
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        level = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)  # logging's aliases
        if level not in _LOG_LEVELS:
            raise ValueError(f"should be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("dashboard_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        zone(value)  # raises ValueError for a name that is not a time zone
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        key = self.service_api_key.get_secret_value()
        if self.environment == "production" and key.lower() in _PLACEHOLDERS:
            raise ValueError("SERVICE_API_KEY is a placeholder; set a real secret in production")
        metrics_token = self.metrics_token.get_secret_value()
        if self.environment == "production" and metrics_token.lower() in _PLACEHOLDERS:
            raise ValueError("METRICS_TOKEN is a placeholder; set a real secret in production")
        if self.environment == "production" and self.otp_sender == "dev":
            raise ValueError("OTP_SENDER=dev writes codes to a file; use whatsapp in production")
        if self.otp_sender == "whatsapp" and not (
            self.whatsapp_access_token.get_secret_value() and self.whatsapp_phone_number_id
        ):
            raise ValueError(
                "OTP_SENDER=whatsapp needs WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_dead_turn(self) -> Settings:
        # A message answered after a crash may first wait CHAT_TURN_TIMEOUT_SECONDS for the
        # turn the dead server left unfinished; its answer is cut off at 3/4 of the lease.
        if self.channel_lease_seconds < 2 * self.chat_turn_timeout_seconds:
            raise ValueError(
                "CHANNEL_LEASE_SECONDS must be at least twice CHAT_TURN_TIMEOUT_SECONDS"
            )
        return self

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'threadline.db').resolve()}"


def _check_pg_options(query: dict[str, object]) -> None:
    unknown = sorted(set(query) - set(_PG_OPTIONS))
    if unknown:
        raise ValueError(
            f"the option {', '.join(unknown)} after '?' cannot be used with PostgreSQL here; "
            f"remove it (understood: {', '.join(_PG_OPTIONS)})"
        )
    timeout = query.get("connect_timeout")
    if timeout is not None:
        try:
            seconds = float(str(timeout))
        except ValueError:
            seconds = 0
        if not seconds > 0:
            raise ValueError("connect_timeout after '?' should be a number of seconds above 0")


@lru_cache
def get_settings() -> Settings:
    return Settings()
