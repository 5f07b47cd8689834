"""Channel switches on many sessions: the store's answer equals the definition, worked out here
in Python, for periods whose sessions began before them (on both stores)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from threadline.activity import report
from threadline.activity.models import SessionActivity
from threadline.db import session_scope

CHANNELS = ["web", "kiosk", "app", "whatsapp", "telegram"]
START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def expected(
    rows: list[SessionActivity], first: date, last: date
) -> list[tuple[str, str, int, int]]:
    """The definition: in a session's records in (at, id) order, a record of the period on
    another channel than the record before it."""
    by_session: dict[uuid.UUID, list[SessionActivity]] = defaultdict(list)
    for row in rows:
        by_session[row.session_id].append(row)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    sessions: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for steps in by_session.values():
        steps.sort(key=lambda r: (r.at, r.id))
        for before, step in zip(steps, steps[1:], strict=False):
            if first <= step.day <= last and before.channel != step.channel:
                counts[before.channel, step.channel] += 1
                sessions[before.channel, step.channel].add(step.session_id)
    found = [(a, b, n, len(sessions[a, b])) for (a, b), n in counts.items()]
    return sorted(found, key=lambda s: (-s[2], s[0], s[1]))


@pytest.fixture
async def activity(app: FastAPI) -> list[SessionActivity]:
    """40 sessions of 1 to 12 steps over 10 days; some steps share their session's last
    timestamp (then the id orders them)."""
    rng = random.Random(7)
    rows = []
    for _ in range(40):
        session, at = uuid.uuid4(), START + timedelta(hours=rng.randrange(240))
        for _ in range(rng.randint(1, 12)):
            if rng.random() > 0.2:
                at += timedelta(minutes=rng.randrange(1, 60 * 30))
            rows.append(
                SessionActivity(
                    day=at.date(),
                    at=at,
                    session_id=session,
                    customer_id="c1",
                    channel=rng.choice(CHANNELS[:3]),
                    kind="chat",
                )
            )
    rng.shuffle(rows)  # ids out of time order too
    async with session_scope(app.state.sessionmaker) as db:
        db.add_all(rows)
    async with session_scope(app.state.sessionmaker) as db:
        return list((await db.scalars(select(SessionActivity))).all())


@pytest.mark.parametrize(("offset", "days"), [(0, 1), (3, 1), (4, 3), (0, 14), (9, 5)])
async def test_switches_follow_the_definition(
    app: FastAPI, activity: list[SessionActivity], offset: int, days: int
):
    first = START.date() + timedelta(days=offset)
    last = first + timedelta(days=days - 1)
    async with session_scope(app.state.read_sessionmaker) as db:
        found = await report.switches(db, first, last)
    want = expected(activity, first, last)
    assert want  # each period has switches, some from steps before it
    assert found == want
