"""Calendar days in the shop's time zone (``DASHBOARD_TIMEZONE``) and their bounds in UTC.

The store keeps UTC; a day the staff dashboard shows is a day where the shops are.  Records
that are counted per day store that local date when written, so grouping by day is a plain
column on both stores; timestamps are filtered by the UTC bounds of local days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Zones whose offset never changes, usable where the system has no time zone database (a slim
# container without tzdata): India has kept +05:30 all year since 1945.
_FIXED: dict[str, tzinfo] = {
    "Asia/Kolkata": timezone(timedelta(hours=5, minutes=30), "IST"),
    "Asia/Calcutta": timezone(timedelta(hours=5, minutes=30), "IST"),
    "UTC": UTC,
    "Etc/UTC": UTC,
}


@cache
def zone(name: str) -> tzinfo:
    """The named IANA zone; raises ``ValueError`` for a name that is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name in _FIXED:
            return _FIXED[name]
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Asia/Kolkata)"
        ) from None


def local_date(moment: datetime, zone_name: str) -> date:
    """The calendar day ``moment`` (aware) falls on in the zone."""
    return moment.astimezone(zone(zone_name)).date()


def day_bounds(first: date, last: date, zone_name: str) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC covering the local days ``first`` to ``last`` inclusive."""
    tz = zone(zone_name)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end
