"""The evaluation sets: ``utterances.yaml`` and ``dialogues.yaml`` (or held-out ones) loaded and
checked, with the rules every part of the evaluation shares.

Every entry is validated on loading: an utterance against the ``Command`` schema, a dialogue's
expectations against the vocabulary its file's header documents, and every product or turn
reference against the turns before it.  A malformed entry raises ``EvalDataError``, which the
command line reports with exit code 2, as it does ``AgentUnavailable``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from threadline.agent.commands import Intent, Slots
from threadline.catalog.taxonomy import CATEGORIES

HERE = Path(__file__).resolve().parent
UTTERANCES = HERE / "utterances.yaml"
DIALOGUES = HERE / "dialogues.yaml"
THRESHOLD = 0.90
DEMO_PRODUCTS = 1200


class EvalDataError(ValueError):
    """An evaluation file is malformed (unknown key, bad slot, bad reference)."""


class AgentUnavailable(RuntimeError):
    """The agent cannot be evaluated: no understanding module, or the app serves no /chat."""


# --- categories (shared with the expectations) ----------------------------------------------


def category_ids(value: str | Sequence[str]) -> set[str]:
    """Taxonomy ids a category slot admits: an id itself, or every id of a group."""
    names = [value] if isinstance(value, str) else list(value)
    ids: set[str] = set()
    for name in names:
        group = {cid for cid, cat in CATEGORIES.items() if cat.group == name}
        if name not in CATEGORIES and not group:
            raise EvalDataError(f"unknown category or group {name!r}")
        ids |= group | ({name} if name in CATEGORIES else set())
    return ids


# --- utterances -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    text: str
    intent: str
    slots: dict[str, Any]
    tags: tuple[str, ...] = ()


def load_utterances(path: Path = UTTERANCES) -> list[Utterance]:
    """The utterance set, every entry checked against the Command schema."""
    items: list[Utterance] = []
    seen: set[str] = set()
    for n, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), 1):
        where = f"{path.name} entry {n} ({entry.get('text')!r})"
        if unknown := set(entry) - {"text", "intent", "slots", "tags"}:
            raise EvalDataError(f"{where}: unknown keys {sorted(unknown)}")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip() or text in seen:
            raise EvalDataError(f"{where}: text must be a new, non-empty string")
        try:
            intent = Intent(entry["intent"])
            slots = Slots.model_validate(entry.get("slots") or {}).filled()
        except (KeyError, ValueError, ValidationError) as exc:
            raise EvalDataError(f"{where}: {exc}") from None
        if "query" in slots:
            raise EvalDataError(f"{where}: query is never scored; leave it out")
        seen.add(text)
        items.append(Utterance(text, intent.value, slots, tuple(entry.get("tags") or ())))
    return items


# --- dialogues ------------------------------------------------------------------------------

TURN_KEYS = {
    "action", "action_in", "asks", "intent", "products_min", "products_max", "products_match",
    "products_exclude", "products_new_vs", "cheaper_than", "cart_count", "cart_lines", "cart_has",
    "cart_unchanged", "cart_total_min", "cart_coupon", "order_placed", "reply_contains",
    "reply_contains_any",
}  # fmt: skip
OUTCOME_KEYS = {"orders_placed", "cart_count", "cart_lines", "cart_has", "cart_coupon"}
MATCH_KEYS = {"category", "color", "min_price", "max_price", "gender", "brand", "occasion"}
CART_HAS_KEYS = {"sku", "sku_from", "category", "color", "size", "qty"}
CHANNELS = {"web", "kiosk", "app", "whatsapp", "telegram"}
REF = re.compile(r"^(?:turn(?P<turn>\d+)\.products|list)\[(?P<index>-?\d+)\]$")
TURN_REF = re.compile(r"^turn(?P<turn>\d+)$")


@dataclass(frozen=True)
class Turn:
    say: str
    channel: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dialogue:
    name: str
    turns: tuple[Turn, ...]
    outcome: dict[str, Any]
    phone: str | None = None
    channel: str = "web"
    tags: tuple[str, ...] = ()


def load_dialogues(path: Path = DIALOGUES) -> list[Dialogue]:
    """The dialogue set, every expectation key and product reference checked."""
    dialogues: list[Dialogue] = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        name = entry.get("name")
        if not name or name in {d.name for d in dialogues}:
            raise EvalDataError(f"dialogue {name!r}: a unique name is required")
        if unknown := set(entry) - {"name", "phone", "channel", "tags", "turns", "outcome"}:
            raise EvalDataError(f"dialogue {name}: unknown keys {sorted(unknown)}")
        if "outcome" not in entry or not entry.get("turns"):
            raise EvalDataError(f"dialogue {name}: turns and an outcome are required")
        turns = tuple(
            _turn(name, n, raw, len(entry["turns"])) for n, raw in enumerate(entry["turns"], 1)
        )
        outcome = dict(entry["outcome"] or {})
        _check_expectations(f"dialogue {name} outcome", outcome, OUTCOME_KEYS, len(turns) + 1)
        channel = entry.get("channel", "web")
        if channel not in CHANNELS:
            raise EvalDataError(f"dialogue {name}: unknown channel {channel!r}")
        phone = str(entry["phone"]) if entry.get("phone") else None
        tags = tuple(entry.get("tags") or ())
        dialogues.append(Dialogue(name, turns, outcome, phone, channel, tags))
    return dialogues


def _turn(name: str, number: int, raw: Any, total: int) -> Turn:
    where = f"dialogue {name} turn {number}"
    if isinstance(raw, str):
        raw = {"say": raw}
    if unknown := set(raw) - {"say", "channel", "expect"}:
        raise EvalDataError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(raw.get("say"), str) or not raw["say"].strip():
        raise EvalDataError(f"{where}: `say` must be a non-empty string")
    if raw.get("channel") is not None and raw["channel"] not in CHANNELS:
        raise EvalDataError(f"{where}: unknown channel {raw['channel']!r}")
    expect = dict(raw.get("expect") or {})
    _check_expectations(where, expect, TURN_KEYS, number)
    return Turn(raw["say"], raw.get("channel"), expect)


def _check_expectations(where: str, expect: dict[str, Any], keys: set[str], number: int) -> None:
    """Reject unknown keys and references to turns that have not happened yet."""
    if unknown := set(expect) - keys:
        raise EvalDataError(f"{where}: unknown expectations {sorted(unknown)}")
    if "action" in expect and "action_in" in expect:
        raise EvalDataError(f"{where}: give action or action_in, not both")
    match = expect.get("products_match") or {}
    if unknown := set(match) - MATCH_KEYS:
        raise EvalDataError(f"{where}: unknown products_match keys {sorted(unknown)}")
    if "category" in match:
        category_ids(match["category"])
    refs = list(expect.get("products_exclude") or [])
    for entry in expect.get("cart_has") or []:
        if unknown := set(entry) - CART_HAS_KEYS:
            raise EvalDataError(f"{where}: unknown cart_has keys {sorted(unknown)}")
        refs += [entry["sku_from"]] if "sku_from" in entry else []
        if "category" in entry:
            category_ids(entry["category"])
    for ref in refs:
        found = REF.match(ref)
        if not found or (found["turn"] and not 0 < int(found["turn"]) < number):
            raise EvalDataError(f"{where}: bad product reference {ref!r}")
    for key in ("products_new_vs", "cheaper_than"):
        if key in expect:
            found = TURN_REF.match(str(expect[key]))
            if not found or not 0 < int(found["turn"]) < number:
                raise EvalDataError(f"{where}: {key} needs an earlier turn, got {expect[key]!r}")
