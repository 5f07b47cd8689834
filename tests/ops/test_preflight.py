"""The start check (``threadline serve`` / ``migrate``) reaches PostgreSQL as the app does."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.e2e.test_server_process import free_port
from threadline.ops import preflight


@pytest.mark.postgresql
def test_url_options_the_app_accepts_pass_the_check(pg_database: str) -> None:
    preflight.check_store(make_settings(pg_database + "?ssl=prefer"))


def test_an_unreachable_postgresql_is_one_line() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    with pytest.raises(preflight.StoreNotUsable) as raised:
        preflight.check_store(make_settings(url))
    message = str(raised.value)
    assert "cannot be reached" in message, message
    assert "\n" not in message, message
