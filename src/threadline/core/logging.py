"""Structured logging with structlog: console lines for people, JSON lines with LOG_FORMAT=json.

Events are named ``domain.event`` with keyword fields.  Phones are masked by the callers
(``core.phone.mask_phone``); tokens, passwords and message text are never logged at INFO.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure_logging(*, log_format: str = "console", level: str = "INFO") -> None:
    level_no = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        # plain_traceback: rich's default would print every frame's local variables, which
        # include request headers, tokens and bodies.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stdout.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        # No file given: each line goes to sys.stdout as it is when the line is written, so a
        # caller that swapped stdout for a while (a test's CLI runner) leaves no dead stream.
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    # Libraries that log through the standard library (uvicorn, alembic, asyncio) go through
    # the same renderer, so with LOG_FORMAT=json every line of the output is one JSON object.
    handler = _StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]  # idempotent: the CLI and the app both configure
    root.setLevel(level_no)
    # uvicorn's access log is replaced by our http.request event.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic").setLevel(max(level_no, logging.WARNING))
    # httpx logs every request's full URL at INFO, and the Telegram Bot API carries the bot's
    # token in its URLs: requests are not logged (the channel worker logs what it sends).
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level_no, logging.WARNING))


class _StdoutHandler(logging.StreamHandler):
    """A StreamHandler that writes to the current ``sys.stdout``, like structlog's PrintLogger."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # StreamHandler.__init__ and setStream assign it; the current stdout always wins
