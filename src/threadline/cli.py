"""The ``threadline`` command: serve, migrate, import and staff operations.

Commands call services only, each inside one ``session_scope`` unit of work.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog import demo as catalog_demo
from threadline.catalog import importer as product_importer
from threadline.catalog.layouts import NATIVE as NATIVE_PRODUCT_COLUMNS
from threadline.channels.telegram.cli import telegram_app
from threadline.config import Settings, get_settings
from threadline.core import metrics
from threadline.core.csvimport import LayoutError, count_rows, parse_mapping
from threadline.core.logging import configure_logging
from threadline.core.phone import InvalidPhone, normalize_phone
from threadline.customers import demo, importer
from threadline.customers import service as customers
from threadline.db import create_engine, create_sessionmaker, session_scope
from threadline.inventory import importer as stock_importer
from threadline.loyalty import rules as loyalty_rules
from threadline.migrations import migrate as run_migrations
from threadline.ops import command
from threadline.ops import doctor as doctor_checks
from threadline.orders import service as orders
from threadline.payments.dependencies import create_gateway
from threadline.sessions import service as sessions
from threadline.staff.cli import staff_app

app = typer.Typer(
    help="Threadline: one shopping conversation across every channel.", no_args_is_help=True
)
import_app = typer.Typer(help="Import data files.", no_args_is_help=True)
customers_app = typer.Typer(help="Staff operations on customers.", no_args_is_help=True)
sessions_app = typer.Typer(help="Session maintenance.", no_args_is_help=True)
orders_app = typer.Typer(help="Order maintenance.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(customers_app, name="customers")
app.add_typer(sessions_app, name="sessions")
app.add_typer(orders_app, name="orders")
app.add_typer(telegram_app, name="telegram")
app.add_typer(staff_app, name="staff")
console = Console()
T = TypeVar("T")


@asynccontextmanager
async def _store(settings: Settings) -> AsyncIterator[Callable[[], Any]]:
    engine = create_engine(settings)
    try:
        await run_migrations(engine)
        maker = create_sessionmaker(engine)
        yield lambda: session_scope(maker)
    finally:
        await engine.dispose()


def _run(work: Callable[[Callable[[], Any]], Awaitable[T]]) -> T:
    """Run ``work`` against a migrated store; what goes wrong is one line and exit 1."""
    settings = command.load_settings()
    configure_logging(log_format=settings.log_format, level="WARNING")

    async def main() -> T:
        async with _store(settings) as scope:
            return await work(scope)

    command.check_store(settings)
    return command.run(settings, main)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes (use PostgreSQL for more than 1).")
    ] = 1,
) -> None:
    """Serve the HTTP API (migrates the store and loads demo data into an empty one)."""
    settings = command.load_settings()
    if workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        # Processes on one SQLite file cannot tell each other about writes (PostgreSQL's
        # NOTIFY does that), so a logout in one could go unnoticed in another's cache.
        console.print("[red]error:[/red] --workers > 1 needs PostgreSQL (set DATABASE_URL)")
        raise typer.Exit(2)
    command.check_store(settings)
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    # uvicorn drains on SIGTERM (no new connections; requests in flight finish within the
    # grace period; then the app's shutdown), and afterwards re-raises the signal to end the
    # process.  Ending with status 0 tells a process manager the stop was clean.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    with _shared_metrics(workers):
        uvicorn.run(
            "threadline.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=None,
            proxy_headers=True,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            log_level=settings.log_level.lower(),
        )


def _exit_cleanly(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


@contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """With several worker processes, one private folder where they all keep their metrics
    (prometheus_client's multiprocess mode), so a scrape of any of them sees the sum.

    Set before uvicorn spawns the workers (each reads it when it imports prometheus_client);
    always a fresh folder, so numbers of an earlier run never add up with this one's.
    """
    if workers <= 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="threadline-metrics-")
    previous = os.environ.get(metrics.MULTIPROC_ENV)
    os.environ[metrics.MULTIPROC_ENV] = folder
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(metrics.MULTIPROC_ENV, None)
        else:
            os.environ[metrics.MULTIPROC_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


@app.command()
def migrate() -> None:
    """Create or upgrade the schema of the configured store."""

    async def work(_: Callable[[], Any]) -> None:
        return None

    _run(work)
    console.print(
        f"schema is up to date on {command.load_settings().resolved_database_url.split('://')[0]}"
    )


@app.command()
def doctor(
    online: Annotated[
        bool, typer.Option(help="Also call WhatsApp, Telegram and the model with the credentials.")
    ] = False,
) -> None:
    """Check the settings, the store and the channel credentials; say what is wrong."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        for problem in command.settings_problems(exc):
            console.print(f"[red]✗ settings[/red]  {escape(problem)}")
        raise typer.Exit(1) from None
    findings = asyncio.run(doctor_checks.diagnose(settings, online=online))
    marks = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]"}
    for finding in findings:
        console.print(f"{marks[finding.level]} {finding.area:<12} {finding.message}")
    failed = sum(f.level == "fail" for f in findings)
    if failed:
        console.print(f"[red]{failed} problem(s) to fix.[/red]")
        raise typer.Exit(1)
    console.print("[green]No problems found.[/green]")


@app.command("load-demo")
def load_demo(
    count: Annotated[int, typer.Option(help="How many demo customers.")] = 200,
    products: Annotated[
        int, typer.Option(help="How many demo products (with shops and stock).")
    ] = 1200,
) -> None:
    """Load the demo customers, catalog and offer rules into an empty store."""

    async def work(scope: Callable[[], Any]) -> tuple[int, int]:
        async with scope() as db:
            people = await demo.load_if_empty(db, customers=count)
            items = await catalog_demo.load_if_empty(db, products=products)
            await loyalty_rules.load_if_empty(db)
            return people, items

    people, items = _run(work)
    console.print(
        f"{people} demo customers loaded"
        if people
        else "customers are not empty; no demo customers loaded"
    )
    console.print(
        f"{items} demo products loaded, with 8 locations and their stock"
        if items
        else "catalog is not empty; no demo products loaded"
    )


ImportWork = Callable[[AsyncSession, Callable[[int], None]], Awaitable[Any]]


def _import(what: str, file: Path, work: ImportWork) -> Any:
    """Run one import with a progress bar, then print its summary, notes and rejected rows."""
    total = count_rows(file)

    async def run(scope: Callable[[], Any]) -> Any:
        with Progress(
            TextColumn(f"importing {what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("rows", total=total)
            async with scope() as db:
                return await work(db, lambda n: progress.advance(task, n))

    try:
        report = _run(run)
    except LayoutError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    unchanged = getattr(report, "unchanged", None)
    console.print(
        f"read {report.read} rows: [green]{report.inserted} added[/green], "
        f"{report.updated} updated, "
        + (f"{unchanged} unchanged, " if unchanged is not None else "")
        + f"[red]{len(report.rejected)} rejected[/red]"
    )
    for note in report.notes:
        console.print(f"note: {note}")
    if report.rejected:
        table = Table("line", "reason", title="Rejected rows")
        for line, reason in report.rejected[:50]:
            table.add_row(str(line), reason)
        console.print(table)
        if len(report.rejected) > 50:
            console.print(f"… and {len(report.rejected) - 50} more")
    return report


ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


@import_app.command("customers")
def import_customers(file: ExistingFile) -> None:
    """Upsert customers from a CSV (see README for the layout); bad rows are reported, not fatal."""

    async def work(db: AsyncSession, progress: Callable[[int], None]) -> Any:
        report = await importer.import_customers(db, file, on_progress=progress)
        await sessions.announce_customer_changes(db, report.customer_ids)
        return report

    _import("customers", file, work)


@import_app.command("products")
def import_products(
    file: ExistingFile,
    mapping: Annotated[
        str | None,
        typer.Option(help='Columns as JSON (or a JSON file): {"sku": "Item Code", …}.'),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Where the rows came from (default: the layout's name).")
    ] = None,
) -> None:
    """Upsert products from a CSV: native layout, the Myntra export or the seed system's file."""
    try:
        columns = parse_mapping(mapping, targets=NATIVE_PRODUCT_COLUMNS) if mapping else None
    except LayoutError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None

    async def work(db: AsyncSession, progress: Callable[[int], None]) -> Any:
        return await product_importer.import_products(
            db, file, mapping=columns, source=source, on_progress=progress
        )

    _import("products", file, work)


@import_app.command("stock")
def import_stock(file: ExistingFile) -> None:
    """Set stock from a CSV (sku, size, store_id, qty); without sizes, qty is spread over them."""

    async def work(db: AsyncSession, progress: Callable[[int], None]) -> Any:
        return await stock_importer.import_stock(db, file, on_progress=progress)

    _import("stock", file, work)


@import_app.command("stores")
def import_stores(file: ExistingFile) -> None:
    """Upsert shops and warehouses from a CSV (native layout or the seed system's stores.csv)."""

    async def work(db: AsyncSession, progress: Callable[[int], None]) -> Any:
        return await stock_importer.import_stores(db, file, on_progress=progress)

    _import("stores", file, work)


@customers_app.command("link-phone")
def link_phone(
    customer_id: str,
    phone: str,
    replace: Annotated[
        bool, typer.Option(help="Replace a phone the customer already has.")
    ] = False,
) -> None:
    """Give an existing customer (e.g. one imported without a phone) a phone number."""
    try:
        normalised = normalize_phone(phone)
    except InvalidPhone as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None

    async def work(scope: Callable[[], Any]) -> None:
        async with scope() as db:
            await customers.link_phone(db, customer_id, normalised, replace=replace)
            await sessions.announce_customer_changes(db, [customer_id])

    _run(work)
    console.print(f"customer {customer_id} now has phone {normalised}")


@customers_app.command("show")
def show_customer(customer_id: str) -> None:
    """Print one customer record."""

    async def work(scope: Callable[[], Any]) -> Any:
        db: AsyncSession
        async with scope() as db:
            return await customers.get(db, customer_id)

    customer = _run(work)
    if customer is None:
        console.print(f"[red]error:[/red] no customer {customer_id}")
        raise typer.Exit(1)
    table = Table("field", "value")
    for name in ("customer_id", "phone", "name", "email", "city", "loyalty_tier", "loyalty_points"):
        table.add_row(name, str(getattr(customer, name)))
    table.add_row("purchases", str(len(customer.purchase_history)))
    console.print(table)


@sessions_app.command("purge")
def purge_sessions() -> None:
    """Delete sessions that ended or expired (the server also does this periodically)."""
    settings = command.load_settings()

    async def work(scope: Callable[[], Any]) -> int:
        async with scope() as db:
            return await sessions.purge_expired(db, settings)

    console.print(f"{_run(work)} expired sessions removed")


@orders_app.command("release-expired")
def release_expired_reservations() -> None:
    """Put the stock of lapsed reserve-in-store holds back on sale (the server does it too)."""
    settings = command.load_settings()

    async def work(scope: Callable[[], Any]) -> int:
        async with scope() as db:
            return await orders.release_lapsed(db, create_gateway(settings))

    console.print(f"{_run(work)} lapsed reservations released")
