"""The ASGI application: ``create_app()`` wires settings, store, routers and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from threadline import __version__
from threadline.activity import service as activity
from threadline.admin.router import router as admin_router
from threadline.agent.engine import SalesAgent
from threadline.agent.llm import create_language_model
from threadline.agent.router import router as agent_router
from threadline.agent.turns import TurnQueue
from threadline.auth.otp import DevOutboxSender, MessageSender, WhatsAppSender
from threadline.auth.router import router as auth_router
from threadline.cart.router import router as cart_router
from threadline.catalog import demo as catalog_demo
from threadline.catalog import search_log
from threadline.catalog.dependencies import (
    build_index_on_startup,
    flush_search_misses_periodically,
    refresh_index_periodically,
)
from threadline.catalog.router import router as catalog_router
from threadline.channels import inbox as channel_inbox
from threadline.channels.telegram.router import router as telegram_router
from threadline.channels.whatsapp.router import router as whatsapp_router
from threadline.channels.worker import ChannelWorker, build_adapters
from threadline.config import Settings, get_settings
from threadline.core import handlers, metrics, openapi
from threadline.core.logging import configure_logging
from threadline.core.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from threadline.core.stopsignal import mark_stopping, on_stop_signal
from threadline.customers import demo
from threadline.db import (
    create_engine,
    create_read_engine,
    create_sessionmaker,
    hold_setup_lock,
    log_failure,
    session_scope,
)
from threadline.inventory.router import router as inventory_router
from threadline.loyalty import rules as loyalty_rules
from threadline.migrations import migrate
from threadline.ops.preflight import StartupFailures
from threadline.ops.router import router as ops_router
from threadline.orders import service as orders
from threadline.orders.router import router as orders_router
from threadline.pages.router import STATIC as PAGES_STATIC
from threadline.pages.router import PageStatic
from threadline.pages.router import router as pages_router
from threadline.payments.dependencies import create_gateway
from threadline.sessions import service as sessions
from threadline.sessions.cache import SessionCache
from threadline.sessions.cache import listen as listen_for_session_changes
from threadline.sessions.router import router as sessions_router

log = structlog.get_logger()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        read_engine = create_read_engine(settings, engine)
        maker = create_sessionmaker(engine)
        app.state.engine = engine
        app.state.sessionmaker = maker
        app.state.read_sessionmaker = create_sessionmaker(read_engine)
        app.state.session_cache = cache = SessionCache(ttl_seconds=settings.session_cache_seconds)
        app.state.http = http = httpx.AsyncClient()
        app.state.otp_sender = otp_sender(settings, http)
        app.state.payment_gateway = create_gateway(settings)
        app.state.turn_queue = TurnQueue(
            maker, app.state.read_sessionmaker, timeout=settings.chat_turn_timeout_seconds
        )
        app.state.sales_agent = SalesAgent(
            settings, create_language_model(settings, http), app.state.read_sessionmaker
        )
        await migrate(engine)
        if settings.load_demo_data:
            await _load_demo_data(maker, settings)
        await build_index_on_startup(app)
        app.state.channel_worker = worker = ChannelWorker(app.state, build_adapters(settings))
        background = [
            *([asyncio.create_task(worker.run())] if settings.channel_worker else []),
            asyncio.create_task(refresh_index_periodically(app)),
            asyncio.create_task(flush_search_misses_periodically(app)),
            asyncio.create_task(_purge_periodically(app, settings)),
            asyncio.create_task(_release_reservations_periodically(app, settings)),
            asyncio.create_task(
                listen_for_session_changes(
                    engine, cache, connect_timeout=settings.db_connect_timeout_seconds
                )
            ),
        ]
        # Everything built at startup (the search index, the vocabulary, the catalog) lives as
        # long as the process: frozen out of the cyclic collector, a full collection no longer
        # walks it, which took pauses of tens of milliseconds out of request latency.
        gc.collect()
        gc.freeze()
        log.info("app.started", database=engine.dialect.name, version=__version__)

        def stop_taking_work() -> None:
            mark_stopping(app)  # a request cancelled from now on was cut off by the stop
            worker.stop_taking_work()

        try:
            # At the stop signal the channel worker starts no new message, while the server
            # stops listening and finishes the requests in flight.
            with on_stop_signal(stop_taking_work):
                yield
        finally:
            # The server has finished the requests in flight (within SHUTDOWN_GRACE_SECONDS of
            # the signal); the channel worker's messages get what is left of the same period,
            # then every background task is cancelled (a cancelled answer releases its message).
            await worker.stop(settings.shutdown_grace_seconds)
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await http.aclose()
            await read_engine.dispose()
            await engine.dispose()
            metrics.process_stopped()
            log.info("app.stopped")

    app = FastAPI(
        title="Threadline",
        version=__version__,
        summary="One shopping conversation across kiosk, web, app, WhatsApp and Telegram.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    handlers.install(app)
    openapi.install(app)
    app.include_router(ops_router)
    app.include_router(sessions_router)
    app.include_router(auth_router)
    app.include_router(catalog_router)
    app.include_router(inventory_router)
    app.include_router(cart_router)
    app.include_router(orders_router)
    app.include_router(agent_router)
    app.include_router(whatsapp_router)
    app.include_router(telegram_router)
    app.include_router(admin_router)
    app.include_router(pages_router)
    # The pages' scripts and stylesheet go out gzipped (224 KB → about a quarter) to browsers
    # that ask; the JSON API is left as it is (small bodies, and CPU is its bottleneck).
    static = GZipMiddleware(PageStatic(directory=PAGES_STATIC), minimum_size=1024)
    app.mount("/static", static, name="static")
    # Added last = outermost: the request id and metrics also cover 413 refusals.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "X-Session-Token", "Idempotency-Key"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware, access_log=settings.access_log)
    # A start-up that fails on the store says why in one sentence, not a traceback.
    app.add_middleware(StartupFailures, database_url=settings.resolved_database_url)
    return app


def otp_sender(settings: Settings, http: httpx.AsyncClient) -> MessageSender:
    if settings.otp_sender == "whatsapp":
        return WhatsAppSender(
            http,
            base_url=settings.whatsapp_api_base,
            token=settings.whatsapp_access_token.get_secret_value(),
            number_id=settings.whatsapp_phone_number_id,
        )
    return DevOutboxSender(settings.data_dir / "dev-outbox.jsonl")


async def _purge_periodically(app: FastAPI, settings: Settings) -> None:
    """Remove expired sessions and old channel messages now and then; idempotent, so several
    processes may all run it."""
    if settings.session_purge_interval_seconds <= 0:
        return
    while True:
        await asyncio.sleep(settings.session_purge_interval_seconds)
        try:
            async with session_scope(app.state.sessionmaker) as db:
                removed = await sessions.purge_expired(db, settings)
                await channel_inbox.purge_processed(db, settings)
                # The dashboard's records outlive sessions, up to DASHBOARD_RETENTION_DAYS.
                await activity.purge_old(db, settings)
                await search_log.purge_old(db, settings)
            metrics.SESSIONS_PURGED.inc(removed)
        except Exception as exc:  # a failed sweep must not kill the server; the next retries
            log_failure(log, "session.purge.failed", exc)


async def _load_demo_data(maker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Customers, catalog, stores, stock and offer rules, each only into an empty store."""
    async with session_scope(maker) as db:
        await hold_setup_lock(db)
        await demo.load_if_empty(db, customers=settings.demo_customers)
        await catalog_demo.load_if_empty(db, products=settings.demo_products)
        await loyalty_rules.load_if_empty(db)


async def _release_reservations_periodically(app: FastAPI, settings: Settings) -> None:
    """Put lapsed reserve-in-store holds back on sale; safe to run in several processes."""
    if settings.order_release_interval_seconds <= 0:
        return
    while True:
        await asyncio.sleep(settings.order_release_interval_seconds)
        try:
            async with session_scope(app.state.sessionmaker) as db:
                await orders.release_lapsed(db, app.state.payment_gateway)
        except Exception as exc:  # a failed sweep must not kill the server; the next retries
            log_failure(log, "orders.release.failed", exc)
