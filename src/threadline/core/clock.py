"""The service's notion of "now".

Everything that compares times (expiry, purge) asks ``clock.now()``, so tests can move time
forward at the process boundary instead of patching ``datetime``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        """Move time forward (tests only; production never calls it)."""
        self._offset += delta

    def reset(self) -> None:
        self._offset = timedelta(0)


clock = Clock()
