"""The stop signal reaches the app as it arrives, and still reaches the server's own handler."""

from __future__ import annotations

import asyncio
import os
import signal
from types import FrameType

import pytest

from threadline.core.stopsignal import on_stop_signal


@pytest.fixture
def server_handler():
    """A handler in place of uvicorn's (it records the signals instead of stopping a server)."""
    received: list[int] = []

    def handle(sig: int, _frame: FrameType | None) -> None:
        received.append(sig)

    before = signal.signal(signal.SIGTERM, handle)
    try:
        yield handle, received
    finally:
        signal.signal(signal.SIGTERM, before)


async def test_the_app_hears_sigterm_and_the_server_still_gets_it(server_handler):
    handle, received = server_handler
    told = asyncio.Event()
    with on_stop_signal(told.set):
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(told.wait(), 5)
    assert received == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is handle  # put back on the way out


async def test_without_a_server_handler_nothing_is_installed():
    # The app run in-process (tests, an ASGI transport): the default stays the default.
    before = signal.getsignal(signal.SIGTERM)
    assert before is signal.SIG_DFL
    with on_stop_signal(lambda: None):
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
