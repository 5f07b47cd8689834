"""Fuzzing every operation of ``/openapi.json`` with schemathesis (issue 7): never a 5xx.

A real ``threadline serve`` (demo data; SQLite, then PostgreSQL) answers requests generated from
its own OpenAPI description — valid and invalid ones: wrong types, missing and unexpected
fields, boundary values, odd unicode, huge numbers, bytes that are not JSON — mixed with real
ids and live credentials (``tests/ops/fuzz/``).  No answer may be a 5xx, every 4xx must carry
the contract's error body, every documented answer must match its schema, and the server must
log no exception (which also covers the channel worker answering fuzzed webhook messages).

``FUZZ_EXAMPLES`` is the number of generated examples per operation (default 25: the CI budget,
under a minute for both stores), on top of schemathesis's coverage cases (boundary values of
every parameter); ``make fuzz`` runs 500.  ``FUZZ_STATS=1`` (with ``-s``) prints the answers
per operation by status and error code.  Generation is derandomized: a run is reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import STORES, TABLES, _admin, make_settings, run_sync
from tests.e2e.test_server_process import server
from tests.ops.fuzz.hooks import contract_error_body, install_hooks
from tests.ops.fuzz.target import SERVER_ENV, Fuzz, Seeds, create_staff
from threadline.app import create_app

pytestmark = pytest.mark.e2e
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    contract_error_body,
    response_schema_conformance,
    status_code_conformance,
]

# The description is built without a server (create_app only wires the routes), so that pytest
# collects one test per operation; the fixture checks that the server serves this very document.
SPEC = create_app(make_settings("sqlite://")).openapi()
schema = schemathesis.openapi.from_dict(SPEC)
SEEDS = Seeds()
install_hooks(schema, SEEDS)


@pytest.fixture(scope="module", params=STORES)
def fuzz(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzz]:
    """One seeded server per store for every operation (like ``database_url``, but for the
    module: the store fills up as the fuzz goes, as a real one would)."""
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'threadline.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        emptied = f"TRUNCATE {', '.join(TABLES)} CASCADE"
        guard = (
            "DO $$ BEGIN IF to_regclass('public.customers') IS NOT NULL THEN {} ; END IF; END $$"
        )
        run_sync(_admin(guard.format(emptied), url))
    log_path = folder / "server.log"
    with server(url, log_path, extra_env=SERVER_ENV) as srv:
        assert httpx.get(f"{srv.base}/openapi.json").json() == SPEC
        create_staff(url)
        target = Fuzz(srv.base, outbox=folder / "dev-outbox.jsonl", seeds=SEEDS)
        try:
            target.seed()
            yield target
        finally:
            target.close()
    if os.environ.get("FUZZ_STATS"):
        for label, outcomes in sorted(target.outcomes.items()):
            print(f"{label:40} {', '.join(f'{k} ×{n}' for k, n in sorted(outcomes.items()))}")
    crashes = [line for line in log_path.read_text().splitlines() if '"exception"' in line]
    assert not crashes, f"the {request.param} server logged exceptions:\n" + "\n".join(crashes[:5])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
)
def test_no_operation_answers_a_server_error(case: Case, fuzz: Fuzz) -> None:
    fuzz.prepare(case)
    response = case.call(base_url=fuzz.base, session=fuzz.http, timeout=30)
    fuzz.record(case, response)
    case.validate_response(response, checks=CHECKS)
