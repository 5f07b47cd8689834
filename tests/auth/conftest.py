"""Auth tests run on an app whose data folder (and so its OTP dev outbox) is the test's tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from threadline.config import Settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, data_dir=tmp_path)
