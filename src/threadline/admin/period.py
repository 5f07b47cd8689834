"""The period a dashboard request asks about: a preset, or ``from`` and ``to`` dates.

Days are calendar days in ``DASHBOARD_TIMEZONE``, both ends included; "today" is the server's
today there, whatever the browser's clock says.  No parameters: the last 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Depends, Query

from threadline.admin.errors import InvalidPeriod, PeriodTooLong
from threadline.config import Settings
from threadline.core.clock import clock
from threadline.core.deps import SettingsDep
from threadline.core.localdays import local_date

MAX_DAYS = 366
# Dates outside these are typing mistakes (and near date.min/max the UTC bounds would overflow).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
PRESETS = {"today": 1, "7d": 7, "30d": 30}
Preset = Literal["today", "7d", "30d"]


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date
    today: date
    zone: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def resolve(
    settings: Settings, *, preset: str | None, first: date | None, last: date | None
) -> Period:
    today = local_date(clock.now(), settings.dashboard_timezone)
    for name, value in (("from", first), ("to", last)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise InvalidPeriod(f"Choose days between {EARLIEST} and {LATEST}.", field=name)
    if preset is not None and (first or last):
        raise InvalidPeriod("Give a preset or from and to dates, not both.", field="preset")
    if preset is not None:
        first, last = today - timedelta(days=PRESETS[preset] - 1), today
    else:
        last = last or today
        first = first or last - timedelta(days=6)
    if first > last:
        raise InvalidPeriod(field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodTooLong(f"A period is at most {MAX_DAYS} days.", field="to")
    return Period(first, last, today, settings.dashboard_timezone)


async def period_of(
    settings: SettingsDep,
    preset: Annotated[Preset | None, Query(description="today, 7d or 30d")] = None,
    first: Annotated[date | None, Query(alias="from", description="First day, YYYY-MM-DD")] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day (included)")] = None,
) -> Period:
    return resolve(settings, preset=preset, first=first, last=last)


PeriodDep = Annotated[Period, Depends(period_of)]
