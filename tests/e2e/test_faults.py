"""Faults, end to end, on a real ``threadline serve``: what a shopper and an operator see.

- PostgreSQL restarted under load (a private cluster, crashed with ``pg_ctl stop -m immediate``
  and later stopped with ``-m fast``): while it is down every request is a quick ``503
  database_unavailable`` with the contract's body, never a 500; the same server process serves
  again once it is back; every acknowledged write is there.
- ``kill -9`` of the server under load, on both stores: after a restart every acknowledged
  session, cart line, order and WhatsApp message is there, stock is taken once per order, and
  acknowledged messages are answered (once).
- A read-only SQLite file or data folder, or a full disk: ``threadline serve`` and
  ``threadline migrate`` say so in one line and exit 1.  A disk that fills up while serving:
  writes are ``503 storage_full``, reads go on, writes work again once there is room.

As root, permission bits do not stop anything; the read-only cases run the server as root
without ``CAP_DAC_OVERRIDE`` (``setpriv``), so the bits count as they do for a service user.
The full disk is a real one: a small tmpfs, filled up (mounting needs root: skipped without).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.channels.platform import FakePlatform, Recorded, serve
from tests.conftest import _admin, run_sync
from tests.e2e.test_server_process import THREADLINE, Server, free_port, server
from tests.factories import new_phone
from threadline.inventory.models import ONLINE_STORE_ID

pytestmark = pytest.mark.e2e
APP_SECRET = "faults-app-secret"
NUMBER_ID = "106540352242922"
ADDRESS = {"line1": "12 Hill Road", "city": "Mumbai", "pincode": "400050"}
CHECKOUT = {"payment_method": "upi", "fulfillment": {"type": "delivery", "address": ADDRESS}}
# Slowest acceptable 503 while the store is away: PostgreSQL refuses at once; a host that
# does not answer at all is cut off by DB_CONNECT_TIMEOUT_SECONDS (5 s).
QUICK_503_SECONDS = 12.0
SMALL_DEMO = {"DEMO_PRODUCTS": "200", "DEMO_CUSTOMERS": "20"}


def _platform_ok(_call: Recorded) -> Any:
    return {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{time.time_ns()}"}]}


def _whatsapp_env(fake: FakePlatform) -> dict[str, str]:
    return {
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_API_BASE": fake.base,
        "WHATSAPP_ACCESS_TOKEN": "faults-token",
        "WHATSAPP_PHONE_NUMBER_ID": NUMBER_ID,
        **SMALL_DEMO,
    }


# --- a private PostgreSQL the test may crash and restart --------------------------------------


@dataclass
class PrivatePostgres:
    bin: Path
    root: Path
    port: int
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/threadline"

    def ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.root / "data")]
        command += ["-l", str(self.root / "postgres.log"), *args]
        done = subprocess.run(
            self.as_postgres + command, capture_output=True, text=True, timeout=90
        )
        assert done.returncode == 0, done.stdout + done.stderr + self.log()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on"
        self.ctl("start", "-w", "-t", "60", "-o", options)

    def stop(self, mode: str) -> None:
        self.ctl("stop", "-w", "-t", "60", "-m", mode)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.root / "postgres.log").read_text()[-3000:]
        return ""


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    initdb = found[-1] if found else (Path(p) if (p := shutil.which("initdb")) else None)
    if initdb is None:
        message = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(message + " (REQUIRE_POSTGRES is set, so this fails rather than skips)")
        pytest.skip(message)
    return initdb.parent


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A throwaway cluster on a free port (initdb refuses root: then it runs as postgres)."""
    bin_dir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="threadline-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    cluster = PrivatePostgres(bin_dir, root, free_port(), as_postgres)
    initdb = [str(bin_dir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres"]
    try:
        done = subprocess.run(
            as_postgres + initdb + ["--no-sync"], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        cluster.start()
        admin = cluster.url.replace("/threadline", "/postgres")
        run_sync(_admin("CREATE DATABASE threadline", admin))
        yield cluster
    finally:
        if (root / "data" / "postmaster.pid").exists():  # started, perhaps only half
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# --- shoppers: load that records everything the service acknowledged --------------------------


class ServerGone(Exception):
    """The server stopped answering (it was killed)."""


@dataclass
class Ledger:
    """What the service acknowledged (2xx) and how it refused the rest."""

    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)  # phone -> token, id
    cart: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # token -> lines added
    orders: dict[str, tuple[str, list[tuple[str, str, int]]]] = field(default_factory=dict)
    deliveries: dict[str, str] = field(default_factory=dict)  # wa_id -> wamid
    # 503s: path, when the request began (monotonic), how long it took, the answer
    refusals: list[tuple[str, float, float, httpx.Response]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    acked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unavailable_count(self) -> int:
        with self.lock:
            return len(self.refusals)


class Shopper:
    """Starts a session, adds two lines, checks out, writes on WhatsApp; again and again.

    Every step is retried as a client would on a 503 (the same phone, the same
    Idempotency-Key, the same WhatsApp delivery), so what was acknowledged is exactly known.
    """

    def __init__(
        self, base: str, ledger: Ledger, pairs: list[tuple[str, str]], stop: threading.Event
    ) -> None:
        self.http = httpx.Client(base_url=base, timeout=60)
        self.ledger = ledger
        self.pairs = pairs
        self.stop = stop
        self.rng = random.Random()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.cycle()
        except ServerGone:
            pass
        finally:
            self.http.close()

    def cycle(self) -> None:
        phone = new_phone()
        started = self.call("POST", "/session/start", json={"phone": phone, "channel": "web"})
        if started is None:
            return
        token = started.json()["session_token"]
        headers = {"X-Session-Token": token}
        with self.ledger.lock:
            self.ledger.sessions[phone] = (token, started.json()["session"]["session_id"])
            self.ledger.cart[token] = set()
        for sku, size in self.rng.sample(self.pairs, 2):
            body = {"sku": sku, "size": size, "qty": 1}
            if self.call("POST", "/cart/items", json=body, headers=headers) is not None:
                with self.ledger.lock:
                    self.ledger.cart[token].add((sku, size))
        key = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        placed = self.call("POST", "/checkout", json=CHECKOUT, headers=key)
        if placed is not None:
            lines = [(i["sku"], i["size"], i["qty"]) for i in placed.json()["items"]]
            with self.ledger.lock:
                self.ledger.orders[placed.json()["order_id"]] = (token, lines)
        wa_id = new_phone().lstrip("+")
        wamid = f"wamid.faults-{uuid.uuid4().hex}"
        raw, signed = _delivery(wa_id, wamid)
        if self.call("POST", "/channels/whatsapp/webhook", content=raw, headers=signed):
            with self.ledger.lock:
                self.ledger.deliveries[wa_id] = wamid

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """The 2xx answer, retrying 503s; None for any other answer (recorded)."""
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise ServerGone() from exc
            took = time.monotonic() - began
            if response.is_success:
                with self.ledger.lock:
                    self.ledger.acked += 1
                return response
            if response.status_code != 503:
                with self.ledger.lock:
                    self.ledger.unexpected.append(f"{method} {path}: {response.text}")
                return None
            with self.ledger.lock:
                self.ledger.refusals.append((path, began, took, response))
            time.sleep(0.1)
        return None


def _delivery(wa_id: str, wamid: str) -> tuple[bytes, dict[str, str]]:
    change = {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": NUMBER_ID},
            "contacts": [{"profile": {"name": "Asha"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": "hi"},
                }
            ],
        },
    }
    raw = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}
    ).encode()
    signature = hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}


@contextmanager
def shoppers(base: str, ledger: Ledger, pairs: list[tuple[str, str]], count: int = 4):
    stop = threading.Event()
    threads = [
        threading.Thread(target=Shopper(base, ledger, pairs, stop).run, daemon=True)
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        yield stop
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(0.05)


def _stocked_pairs(http: httpx.Client, database_url: str, count: int = 6) -> list[tuple[str, str]]:
    """Products and sizes the shoppers buy, with the warehouse stock raised out of reach."""
    pairs: list[tuple[str, str]] = []
    for product in http.get("/products", params={"q": "shirt", "limit": 20}).json()["items"]:
        pairs += [(product["sku"], size) for size in product["sizes"][:1]]
    assert len(pairs) >= count, pairs
    pairs = pairs[:count]
    for sku, size in pairs:
        _sql(
            database_url,
            f"UPDATE stock SET qty = 100000 WHERE sku = '{sku}' AND size = '{size}' "
            f"AND store_id = '{ONLINE_STORE_ID}'",
        )
    return pairs


def _sql(database_url: str, statement: str) -> None:
    if database_url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(database_url.split(":///", 1)[1], 30)) as db:
            db.execute(statement)
            db.commit()
    else:
        run_sync(_admin(statement, database_url))


def _stock(http: httpx.Client, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    totals = {}
    for sku, size in pairs:
        where = http.get(f"/products/{sku}/availability", params={"size": size}).json()
        totals[(sku, size)] = where["online"] + sum(s["qty"] for s in where["stores"])
    return totals


def check_everything_acknowledged_is_there(
    http: httpx.Client,
    ledger: Ledger,
    pairs: list[tuple[str, str]],
    stock_before: dict[tuple[str, str], int],
) -> None:
    """Sessions, cart lines and orders read back through the API; stock taken once per order."""
    assert ledger.orders, "the load acknowledged no order"
    sold = dict.fromkeys(pairs, 0)
    for _phone, (token, session_id) in ledger.sessions.items():
        headers = {"X-Session-Token": token}
        session = http.get("/session", headers=headers)
        assert session.status_code == 200, session.text
        assert session.json()["session_id"] == session_id
        # Every order of this customer, acknowledged or not (a checkout whose answer was lost).
        orders = http.get("/orders", params={"limit": 100}, headers=headers).json()["items"]
        ordered = {(i["sku"], i["size"]) for o in orders for i in o["items"]}
        for order in orders:
            for item in order["items"]:
                sold[(item["sku"], item["size"])] += item["qty"]
        cart = {(i["sku"], i["size"]) for i in http.get("/cart", headers=headers).json()["items"]}
        missing = ledger.cart[token] - ordered - cart
        assert not missing, f"acknowledged cart lines lost: {missing}"
    for order_id, (token, lines) in ledger.orders.items():
        stored = http.get(f"/orders/{order_id}", headers={"X-Session-Token": token})
        assert stored.status_code == 200, stored.text
        assert [(i["sku"], i["size"], i["qty"]) for i in stored.json()["items"]] == lines
    after = _stock(http, pairs)
    taken = {pair: stock_before[pair] - after[pair] for pair in pairs}
    assert taken == sold, "stock must be taken exactly once per order line"


def check_deliveries_answered(
    fake: FakePlatform, ledger: Ledger, *, at_least_once: bool, settle: float = 1.0
) -> None:
    """Every acknowledged WhatsApp message gets its answer; one answer each (with a crash
    between a send and its record, that one reply may go out twice, never be lost).

    ``settle``: how long a second answer could take to go out (after a crash: the killed
    server's claims have to lapse first)."""

    def answered() -> set[str]:
        return {str(c.body.get("to")) for c in fake.sent("/messages")}

    wait_until(
        lambda: set(ledger.deliveries) <= answered(), 90, "every acknowledged message answered"
    )
    time.sleep(settle)  # a second answer, if there were one, would have gone out by now
    bodies: dict[str, list[str]] = {}
    for call in fake.sent("/messages"):
        bodies.setdefault(str(call.body.get("to")), []).append(
            json.dumps(call.body, sort_keys=True)
        )
    doubled = {to: sent for to, sent in bodies.items() if len(sent) != len(set(sent))}
    if at_least_once:
        # Only replies being sent at the moment of the kill (at most 8 chats at once).
        assert len(doubled) <= 8, doubled
    else:
        assert not doubled, doubled


# --- PostgreSQL restarted under load -----------------------------------------------------------


@pytest.mark.postgresql
def test_postgresql_restart_under_load_is_503_then_recovers_without_losing_writes(
    tmp_path: Path,
) -> None:
    with private_postgres() as pg, serve(_platform_ok) as fake:
        srv: Server
        with (
            server(pg.url, tmp_path / "server.log", _whatsapp_env(fake)) as srv,
            httpx.Client(base_url=srv.base, timeout=60) as http,
        ):
            pairs = _stocked_pairs(http, pg.url)
            stock_before = _stock(http, pairs)
            ledger = Ledger()
            with shoppers(srv.base, ledger, pairs):
                # When PostgreSQL was up again (a second for requests already under way to
                # finish), until it was stopped next.
                healthy: list[list[float]] = []
                for mode in ("immediate", "fast"):  # a crash, then an orderly stop
                    acked = ledger.acked
                    wait_until(lambda a=acked: ledger.acked >= a + 20, 60, "load to get going")
                    refused = ledger.unavailable_count()
                    down_since = time.monotonic()
                    if healthy:
                        healthy[-1][1] = down_since
                    pg.stop(mode)
                    wait_until(
                        lambda r=refused, t=down_since: (
                            ledger.unavailable_count() >= r + 12 and time.monotonic() - t > 3
                        ),
                        60,
                        "requests to be refused while PostgreSQL is down",
                    )
                    down = http.get("/readyz")
                    assert down.status_code == 503
                    assert down.json()["error"]["code"] == "database_unavailable"
                    assert http.get("/healthz").status_code == 200
                    assert srv.process.poll() is None, "the server died with its store"
                    pg.start()
                    wait_until(
                        lambda: http.get("/readyz").status_code == 200, 30, "/readyz to be 200"
                    )
                    time.sleep(1.0)  # requests already waiting out a 503 come back
                    window = [time.monotonic(), float("inf")]
                    healthy.append(window)
                    acked = ledger.acked
                    # At least three seconds and 20 answers of shopping before the next stop,
                    # so the check below looks at real traffic on the recovered pool.
                    wait_until(
                        lambda a=acked, w=window: (
                            ledger.acked >= a + 20 and time.monotonic() - w[0] > 3
                        ),
                        60,
                        "writes to succeed again",
                    )
                    assert ledger.acked - acked >= 20
            assert srv.process.poll() is None
            assert not ledger.unexpected, ledger.unexpected[:5]
            for path, began, took, response in ledger.refusals:
                assert response.json()["error"]["code"] == "database_unavailable", response.text
                assert response.json()["error"]["message"]
                assert int(response.headers["Retry-After"]) > 0
                assert took < QUICK_503_SECONDS, (path, took)
                # Once PostgreSQL is back, no request meets a dead pooled connection (one
                # that was answered after the next stop began is that stop's, not this).
                inside = [(s, e) for s, e in healthy if s < began and began + took < e]
                assert not inside, (path, began, took, healthy, response.text)
            check_everything_acknowledged_is_there(http, ledger, pairs, stock_before)
            check_deliveries_answered(fake, ledger, at_least_once=False)

            # A restart while nobody is shopping goes unnoticed: the first requests after it
            # are served, the pool having replaced its dead connections before using them.
            pg.stop("fast")
            pg.start()
            phones = list(ledger.sessions)[:6]
            with ThreadPoolExecutor(len(phones)) as pool:
                first = list(
                    pool.map(
                        lambda phone: httpx.post(
                            srv.base + "/session/start",
                            json={"phone": phone, "channel": "kiosk"},
                            timeout=60,
                        ),
                        phones,
                    )
                )
            assert [r.status_code for r in first] == [200] * len(phones), [r.text for r in first]
        log = (tmp_path / "server.log").read_text()
        assert "http.unhandled_error" not in log
        assert "Traceback" not in log


# --- kill -9 under load ------------------------------------------------------------------------


def test_sigkill_under_load_loses_no_acknowledged_write_and_doubles_nothing(
    database_url: str, tmp_path: Path
) -> None:
    ledger = Ledger()
    with serve(_platform_ok) as fake:
        # The killed server's claims on messages lapse after 12 s (not 2 minutes), and its
        # unfinished chat turns are skipped after 4 s (not 20).
        env = {
            **_whatsapp_env(fake),
            "CHANNEL_LEASE_SECONDS": "12",
            "CHAT_TURN_TIMEOUT_SECONDS": "4",
        }
        with server(database_url, tmp_path / "server.log", env) as srv:
            with httpx.Client(base_url=srv.base, timeout=60) as http:
                pairs = _stocked_pairs(http, database_url)
                stock_before = _stock(http, pairs)
            with shoppers(srv.base, ledger, pairs):
                wait_until(lambda: len(ledger.orders) >= 8, 90, "orders under load")
                srv.process.send_signal(signal.SIGKILL)  # no shutdown hook, no flush: a crash
                srv.process.wait(timeout=10)
        assert not ledger.unexpected, ledger.unexpected[:5]
        assert not ledger.refusals, [r.text for *_, r in ledger.refusals[:5]]
        with (
            server(database_url, tmp_path / "server2.log", env) as srv,
            httpx.Client(base_url=srv.base, timeout=60) as http,
        ):
            check_everything_acknowledged_is_there(http, ledger, pairs, stock_before)
            # Past the lease, so a reply re-sent after the kill is seen here.
            lease = float(env["CHANNEL_LEASE_SECONDS"])
            check_deliveries_answered(fake, ledger, at_least_once=True, settle=lease + 3)


# --- a store the server cannot write to, at start -----------------------------------------------

# As root, run without the capabilities that ignore permission bits.
AS_SERVICE_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
)


def _threadline(command: str, database_url: str, *, as_service_user: bool = False) -> Any:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "json", **SMALL_DEMO}
    prefix = AS_SERVICE_USER if as_service_user else []
    args = [THREADLINE, command] + (["--port", str(free_port())] if command == "serve" else [])
    return subprocess.run(prefix + args, env=env, capture_output=True, text=True, timeout=120)


def _assert_refuses_to_write(path: Path) -> None:
    """Guard against a vacuous test: this user really cannot write there."""
    probe = AS_SERVICE_USER + [sys.executable, "-c", f"open({str(path)!r}, 'ab')"]
    assert subprocess.run(probe, capture_output=True).returncode != 0, f"{path} is writable"


def _one_clear_line(done: Any, *words: str) -> str:
    """The one line a command run by :func:`_threadline` (LOG_FORMAT=json) says, as the
    ``command.failed`` JSON event a log pipeline reads; its message is returned."""
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    lines = output.splitlines()
    assert len(lines) == 1, output
    event = json.loads(lines[0])
    assert (event["event"], event["level"]) == ("command.failed", "error"), output
    for word in words:
        assert word in event["error"], output
    return str(event["error"])


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Path]:
    """A SQLite store (in WAL mode, as the server keeps it) in a folder the service user may
    enter."""
    folder = Path(tempfile.mkdtemp(prefix="threadline-ro-"))
    folder.chmod(0o755)
    database = folder / "threadline.db"
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE shoppers (phone TEXT)")
    try:
        yield database
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_read_only_sqlite_file_is_one_clear_line_and_exit_1(
    sqlite_store: Path, command: str
) -> None:
    sqlite_store.chmod(0o444)
    _assert_refuses_to_write(sqlite_store)
    done = _threadline(command, f"sqlite:///{sqlite_store}", as_service_user=True)
    _one_clear_line(done, f"the SQLite file {sqlite_store} is read-only", "DATABASE_URL")


def test_doctor_names_a_read_only_sqlite_file_that_the_service_user_cannot_write(
    sqlite_store: Path,
) -> None:
    sqlite_store.chmod(0o444)
    _assert_refuses_to_write(sqlite_store)
    done = _threadline("doctor", f"sqlite:///{sqlite_store}", as_service_user=True)
    output = " ".join((done.stdout + done.stderr).split())  # as read, not as wrapped
    assert done.returncode == 1, output
    assert f"✗ store The SQLite file {sqlite_store} is read-only" in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("existing", [True, False], ids=["with-database", "empty"])
def test_a_read_only_data_folder_is_one_clear_line_and_exit_1(
    sqlite_store: Path, existing: bool
) -> None:
    if not existing:
        sqlite_store.unlink()
    sqlite_store.parent.chmod(0o555)
    _assert_refuses_to_write(sqlite_store.parent / "threadline.db-wal")
    done = _threadline("serve", f"sqlite:///{sqlite_store}", as_service_user=True)
    _one_clear_line(done, f"the data folder {sqlite_store.parent} is read-only", "DATA_DIR")


def test_a_store_failing_in_the_app_start_up_is_one_line_and_no_restart(
    sqlite_store: Path,
) -> None:
    """Past serve's check (the file turned read-only in between): uvicorn started directly."""
    sqlite_store.chmod(0o444)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{sqlite_store}", "LOG_FORMAT": "json"}
    uvicorn = [sys.executable, "-m", "uvicorn", "threadline.app:create_app", "--factory"]
    done = subprocess.run(
        [*AS_SERVICE_USER, *uvicorn, "--port", str(free_port()), "--log-level", "warning"],
        env={**env, **SMALL_DEMO},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output  # uvicorn's "start-up failed": exits, no restart
    assert "Traceback" not in output, output
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    failed = [e for e in events if e["event"] == "app.start_failed"]
    assert len(failed) == 1, output
    assert f"the SQLite file {sqlite_store} is read-only" in failed[0]["reason"]


@contextmanager
def small_disk(megabytes: int) -> Iterator[Path]:
    """A real, small file system (tmpfs): filling it gives the writer ENOSPC."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    where = Path(tempfile.mkdtemp(prefix="threadline-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        unmounted = subprocess.run(["umount", str(where)], capture_output=True, text=True)
        if unmounted.returncode != 0:  # busy (a server left running): detach it lazily
            unmounted = subprocess.run(["umount", "-l", str(where)], capture_output=True, text=True)
        assert unmounted.returncode == 0, f"cannot unmount {where}: {unmounted.stderr.strip()}"
        where.rmdir()


def fill(disk: Path) -> Path:
    """Take every free byte of ``disk``; returns the file to delete to give them back."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as file:
        for chunk in (1 << 20, 1 << 16, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    file.write(b"\0" * chunk)
    assert shutil.disk_usage(disk).free < 4096
    return filler


def test_a_full_disk_at_start_is_one_clear_line_and_exit_1() -> None:
    with small_disk(16) as disk:
        database = disk / "threadline.db"
        assert _threadline("migrate", f"sqlite:///{database}").returncode == 0
        fill(disk)
        for command in ("serve", "migrate"):
            done = _threadline(command, f"sqlite:///{database}")
            _one_clear_line(done, f"the disk holding {disk} is full", "free some space")
        done = _threadline("doctor", f"sqlite:///{database}")
        output = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == 1, output
        assert f"✗ store The disk holding {disk} is full" in output, output
        # Less room than the check needs but not none: the free space it reports is the
        # disk's, measured once its own probe file is gone.
        filler = disk / "filler"
        filler.unlink()
        left = 512 * 1024
        with filler.open("wb") as file:
            file.write(b"\0" * (shutil.disk_usage(disk).free - left))
        free_kib = shutil.disk_usage(disk).free // 1024
        said = _one_clear_line(_threadline("migrate", f"sqlite:///{database}"), "is full")
        assert f"({free_kib} KiB free)" in said, (free_kib, said)
        assert free_kib >= 256, free_kib


def test_a_disk_filling_up_while_serving_refuses_writes_with_503_and_keeps_reads(
    tmp_path: Path,
) -> None:
    with small_disk(64) as disk:
        url = f"sqlite:///{disk / 'threadline.db'}"
        # Every read wants to record activity: reads must go on even though that write can't.
        env = {"SESSION_TOUCH_SECONDS": "0", **SMALL_DEMO}
        with (
            server(url, tmp_path / "server.log", env) as srv,
            httpx.Client(base_url=srv.base, timeout=60) as http,
        ):
            started = http.post("/session/start", json={"phone": new_phone(), "channel": "web"})
            headers = {"X-Session-Token": started.json()["session_token"]}
            filler = fill(disk)
            # The store's journal has some room left from before; writes use it up.
            refused = None
            for _ in range(3000):
                write = http.post("/session/start", json={"phone": new_phone(), "channel": "app"})
                assert write.status_code in (200, 503), write.text
                if write.status_code == 503:
                    refused = write
                    break
            assert refused is not None, "the disk never filled up"
            assert refused.json()["error"]["code"] == "storage_full"
            assert "disk is full" in refused.json()["error"]["message"]
            assert refused.headers["Retry-After"]
            # Reads go on: the shopper's session, the catalog, the cart.
            for path in ("/session", "/cart", "/products?q=shirt"):
                read = http.get(path, headers=headers)
                assert read.status_code == 200, (path, read.text)
            filler.unlink()
            again = http.post("/session/start", json={"phone": new_phone(), "channel": "app"})
            assert again.status_code == 200, again.text
            assert srv.process.poll() is None
        log = (tmp_path / "server.log").read_text()
        assert "http.unhandled_error" not in log
