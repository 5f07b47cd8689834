"""Dashboard errors (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

from threadline.core.errors import Unprocessable


class InvalidPeriod(Unprocessable):
    code = "invalid_period"
    message = "The period's first day must not be after its last day."


class PeriodTooLong(Unprocessable):
    code = "period_too_long"
    message = "A period is at most 366 days."
