"""Delivery estimates, pickup codes and order ids."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

# Cities the warehouse reaches next-but-one day; elsewhere takes longer.
METRO_CITIES = frozenset(
    {
        "mumbai",
        "delhi",
        "new delhi",
        "bengaluru",
        "bangalore",
        "chennai",
        "kolkata",
        "hyderabad",
        "pune",
        "gurugram",
        "gurgaon",
        "noida",
        "thane",
        "navi mumbai",
    }
)
METRO_DAYS = 2
OTHER_DAYS = 5
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter


def delivery_eta(city: str, now: datetime) -> date:
    days = METRO_DAYS if city.strip().lower() in METRO_CITIES else OTHER_DAYS
    return (now + timedelta(days=days)).date()


def pickup_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(6))


def new_order_id() -> str:
    return "TL-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def new_return_id() -> str:
    return "RT-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
