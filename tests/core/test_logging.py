"""Log lines go to the stdout of the moment they are written, not to the one at configuration."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
import structlog

from threadline.core.logging import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    configure_logging(log_format="console", level="INFO")


def test_logging_configured_under_a_swapped_stdout_still_writes_after_it_is_closed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # A command run by a test's CLI runner configures logging while sys.stdout is the runner's
    # buffer, which the runner then closes; later log lines must not fail on the closed buffer.
    borrowed = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", borrowed)
        configure_logging(log_format="json", level="INFO")
        structlog.get_logger("t").info("during", n=1)
    borrowed_lines = borrowed.getvalue().splitlines()
    borrowed.close()

    structlog.get_logger("t").info("after", n=2)
    logging.getLogger("uvicorn.error").warning("stdlib after")

    assert [json.loads(line)["event"] for line in borrowed_lines] == ["during"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["event"], line["level"]) for line in lines] == [
        ("after", "info"),
        ("stdlib after", "warning"),
    ]
