"""Hear the server's stop signal as it arrives, not only when the app's shutdown begins.

uvicorn, told to stop (SIGTERM, or Ctrl+C), first stops listening and waits up to
``SHUTDOWN_GRACE_SECONDS`` for the requests in flight, and only then runs the app's shutdown.
Work that is not an HTTP request (the channel worker answering WhatsApp and Telegram) should
stop taking new work at the signal and share the same grace period, not start a second one
after the first: a process manager kills what outlives the grace it allows.

uvicorn installs its handlers with ``signal.signal`` before the app starts (in every worker
process of ``--workers N`` too); :func:`on_stop_signal` puts a handler in front of them that
tells the app, then hands the signal on unchanged.  Without a server's handler in place (the app
run in-process by a test) nothing is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def on_stop_signal(callback: Callable[[], None]) -> Iterator[None]:
    """While inside, ``callback`` runs in the current event loop when a stop signal arrives,
    before the handler that was there before; that handler is put back on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread
        return
    loop = asyncio.get_running_loop()
    chained: dict[int, Any] = {}
    for sig in STOP_SIGNALS:
        previous = signal.getsignal(sig)
        if _is_server_handler(previous):
            chained[sig] = previous

    def handle(sig: int, frame: FrameType | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing left to tell
            loop.call_soon_threadsafe(callback)
        chained[sig](sig, frame)

    for signum in chained:
        signal.signal(signum, handle)
    try:
        yield
    finally:
        for signum, previous in chained.items():
            if signal.getsignal(signum) is handle:
                signal.signal(signum, previous)


def _is_server_handler(handler: Any) -> bool:
    """A Python-level handler that a server installed (not the default, ignore, or Python's
    own KeyboardInterrupt handler)."""
    return callable(handler) and handler is not signal.default_int_handler


def mark_stopping(app: Any) -> None:
    """Note on ``app`` that its server has been told to stop (see :func:`stopping`)."""
    app.state.stopping = True


def stopping(app: Any) -> bool:
    """Whether ``app``'s server has been told to stop: a request cancelled now is one that
    uvicorn cut off when the grace period ran out, not one whose caller gave up on it."""
    return bool(getattr(getattr(app, "state", None), "stopping", False))
