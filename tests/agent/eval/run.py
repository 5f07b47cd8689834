"""The sales agent's evaluation: understanding on single messages, the agent on whole dialogues.

    python -m tests.agent.eval.run                      # both parts (``make eval``)
    python -m tests.agent.eval.run --utterances-only    # understanding only, no app
    python -m tests.agent.eval.run --dialogues-only --filter checkout --verbose

Utterances (``utterances.yaml``) go straight to ``threadline.agent.understand`` and are scored
by command accuracy (intent exact), slot F1 (micro over (slot, value) pairs, ``query`` left out)
and accuracy per intent.  Dialogues (``dialogues.yaml``, whose header documents the expectation
vocabulary) run in-process against the app with the demo catalog, through ``POST /chat``,
``POST /session/start``, ``GET /cart``, ``GET /orders`` and ``GET /products/{sku}`` only, as a
client would.  The exit code is 1 when command accuracy, slot F1 or dialogue success is below
90%, and 2 when the agent cannot be evaluated at all (no understanding module, no ``/chat``).

This one module holds the scorer, the dialogue driver and the CLI so that pytest
(``tests/agent/test_eval.py``) and ``make eval`` run exactly the same code.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import re
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from asgi_lifespan import LifespanManager
from pydantic import ValidationError

from threadline.agent.commands import Command, Intent, Slots
from threadline.catalog.taxonomy import CATEGORIES

HERE = Path(__file__).resolve().parent
UTTERANCES = HERE / "utterances.yaml"
DIALOGUES = HERE / "dialogues.yaml"
THRESHOLD = 0.90
DEMO_PRODUCTS = 1200

# The spec normalises "bengaluru" to "Bangalore" while the demo shops are in "Bengaluru" and
# "New Delhi": a city is scored as the same place under any of its names.
CITY_ALIASES = {
    "bengaluru": "bangalore",
    "new delhi": "delhi",
    "bombay": "mumbai",
    "madras": "chennai",
    "calcutta": "kolkata",
}
# Which stored genders a shopper's gender admits (a men's search may show unisex products).
GENDER_ADMITS = {
    "men": {"men", "unisex"},
    "women": {"women", "unisex"},
    "boys": {"boys", "kids"},
    "girls": {"girls", "kids"},
    "kids": {"kids", "boys", "girls"},
    "unisex": {"unisex"},
}
# Actions that show a result list, the list "list[i]" points into.
LIST_ACTIONS = {"searched", "refined", "showed_more", "showed_look"}


class EvalDataError(ValueError):
    """An evaluation file is malformed (unknown key, bad slot, bad reference)."""


class AgentUnavailable(RuntimeError):
    """The agent cannot be evaluated: no understanding module, or the app serves no /chat."""


# --- products and categories (shared with test_chat_search_consistency) ---------------------


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


def color_matches(wanted: str, actual: str | None) -> bool:
    """Whether the shopper's colour word is in the product's colour ("blue" ⊂ "Navy Blue")."""
    pattern = rf"\b{re.escape(wanted.strip().lower())}\b"
    return bool(actual) and re.search(pattern, str(actual).lower()) is not None


def product_problems(product: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    """How ``product`` (the API's Product) fails ``want`` (products_match keys); [] if it fits."""
    label = f"{product.get('sku')} {product.get('name')!r}"
    problems = []
    if "category" in want and product.get("category") not in category_ids(want["category"]):
        problems.append(f"{label}: category {product.get('category')!r}, wanted {want['category']}")
    if "color" in want and not color_matches(want["color"], product.get("color")):
        problems.append(f"{label}: colour {product.get('color')!r}, wanted {want['color']!r}")
    price = float(product.get("price") or 0)
    if "max_price" in want and price > want["max_price"]:
        problems.append(f"{label}: price {price:g} above {want['max_price']}")
    if "min_price" in want and price < want["min_price"]:
        problems.append(f"{label}: price {price:g} below {want['min_price']}")
    if "gender" in want and product.get("gender") not in GENDER_ADMITS[want["gender"]]:
        problems.append(f"{label}: gender {product.get('gender')!r}, wanted {want['gender']!r}")
    for key in ("brand", "occasion"):
        if key in want and str(product.get(key) or "").casefold() != want[key].casefold():
            problems.append(f"{label}: {key} {product.get(key)!r}, wanted {want[key]!r}")
    return problems


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


def _normalised(slot: str, value: Any) -> Any:
    if isinstance(value, bool | int):
        return value
    text = " ".join(str(value).split()).casefold()
    return CITY_ALIASES.get(text, text) if slot == "city" else text


def slot_pairs(slots: Mapping[str, Any]) -> set[tuple[str, Any]]:
    """The scored (slot, value) pairs: no query, strings case-folded, ints as ints."""
    return {(k, _normalised(k, v)) for k, v in slots.items() if k != "query" and v is not None}


@dataclass
class UtteranceResult:
    utterance: Utterance
    intent: str | None
    slots: dict[str, Any]
    error: str | None = None

    @property
    def intent_ok(self) -> bool:
        return self.intent == self.utterance.intent

    def counts(self) -> tuple[int, int, int]:
        """True positives, false positives, false negatives over slot pairs."""
        want, got = slot_pairs(self.utterance.slots), slot_pairs(self.slots)
        return len(want & got), len(got - want), len(want - got)

    @property
    def ok(self) -> bool:
        return self.intent_ok and slot_pairs(self.slots) == slot_pairs(self.utterance.slots)


@dataclass
class UtteranceReport:
    results: list[UtteranceResult]

    @property
    def accuracy(self) -> float:
        return sum(r.intent_ok for r in self.results) / max(len(self.results), 1)

    @property
    def slot_f1(self) -> float:
        tp = fp = fn = 0
        for result in self.results:
            hits, extra, missed = result.counts()
            tp, fp, fn = tp + hits, fp + extra, fn + missed
        return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)

    def per_intent(self) -> dict[str, tuple[int, int]]:
        """intent → (understood, total), over the expected intents."""
        totals, right = Counter[str](), Counter[str]()
        for r in self.results:
            totals[r.utterance.intent] += 1
            right[r.utterance.intent] += r.intent_ok
        return {i: (right[i], totals[i]) for i in sorted(totals)}

    def passed(self, threshold: float = THRESHOLD) -> bool:
        return self.accuracy >= threshold and self.slot_f1 >= threshold

    def format(self, *, verbose: bool = False) -> str:
        lines = [
            f"UNDERSTANDING  {len(self.results)} utterances   command accuracy "
            f"{self.accuracy:.1%}   slot F1 {self.slot_f1:.1%}   (threshold {THRESHOLD:.0%})",
            "  per intent:",
        ]
        lines += [
            f"    {intent:<20} {right:>3}/{total:<3} {right / total:6.1%}"
            for intent, (right, total) in self.per_intent().items()
        ]
        wrong = [r for r in self.results if verbose or not r.ok]
        lines.append(f"  {'all' if verbose else 'failures'} ({len(wrong)}):")
        for r in wrong:
            got = r.error or f"{r.intent}{_slots_text(r.slots)}"
            mark = "ok  " if r.ok else ("SLOT" if r.intent_ok else "FAIL")
            lines.append(
                f"    {mark} {r.utterance.text!r}: want {r.utterance.intent}"
                f"{_slots_text(r.utterance.slots)}, got {got}"
            )
        return "\n".join(lines)


def _slots_text(slots: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in slots.items() if k != "query" and v is not None}
    return "(" + ", ".join(f"{k}={v}" for k, v in shown.items()) + ")"


Understander = Callable[[str], Command | Awaitable[Command]]


def make_understander(vocabulary: str = "demo") -> Understander:
    """``understand`` with the demo catalog's vocabulary (or ``Vocabulary.default()``)."""
    try:
        from threadline.agent.understand import Vocabulary, understand
    except ImportError as exc:
        raise AgentUnavailable(f"threadline.agent.understand cannot be imported: {exc}") from exc
    vocab = (
        Vocabulary.default() if vocabulary == "default" else Vocabulary.from_index(_demo_index())
    )
    return lambda text: understand(text, vocab)


def _demo_index() -> Any:
    from threadline.catalog.demo import generate_products
    from threadline.catalog.models import Product
    from threadline.catalog.search_index import build_index
    from threadline.core.clock import clock

    now = clock.now()
    products = [
        Product(**p, created_at=now, updated_at=now) for p in generate_products(DEMO_PRODUCTS)
    ]
    return build_index(0, products)


async def evaluate_utterances(
    utterances: Sequence[Utterance], understander: Understander
) -> UtteranceReport:
    """Understand every utterance; a crash on one message is that message's failure."""
    results = []
    for u in utterances:
        try:
            answer = understander(u.text)
            command = await answer if inspect.isawaitable(answer) else answer
            command = Command.model_validate(command)
        except Exception as exc:  # scored as a miss, reported with its cause
            results.append(UtteranceResult(u, None, {}, error=f"raised {exc!r}"))
            continue
        results.append(UtteranceResult(u, command.intent.value, command.slots.filled()))
    return UtteranceReport(results)


# --- dialogues: the data --------------------------------------------------------------------

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


# --- dialogues: talking to the app ----------------------------------------------------------

_phones = itertools.count(1)


def fresh_phone() -> str:
    """A valid mobile number no demo customer has (theirs never start +9160)."""
    return f"+9160000{next(_phones):05d}"


@dataclass
class Reply:
    """One answer of POST /chat."""

    text: str
    status: int
    body: dict[str, Any]

    @property
    def action(self) -> str:
        return str(self.body.get("action", ""))

    @property
    def reply(self) -> str:
        return str(self.body.get("reply", ""))

    @property
    def products(self) -> list[dict[str, Any]]:
        return list(self.body.get("products") or [])

    @property
    def cart(self) -> dict[str, Any] | None:
        cart = self.body.get("cart")
        return cart if isinstance(cart, dict) else None

    def shape_problems(self) -> list[str]:
        if self.status != 200:
            return [f"POST /chat answered {self.status}: {self.body}"]
        missing = {"reply", "products", "cart", "suggestions", "action"} - set(self.body)
        return [f"the response lacks {sorted(missing)}"] if missing else []


class Conversation:
    """One shopper talking to the agent, possibly from several channels."""

    def __init__(self, client: httpx.AsyncClient, phone: str, catalog: dict[str, Any]) -> None:
        self.client, self.phone, self.catalog = client, phone, catalog
        self.channel = ""
        self.token = ""

    async def join(self, channel: str) -> None:
        """Start (or join) the shopper's session from ``channel``: a new token, same session."""
        body = {"phone": self.phone, "channel": channel}
        response = await self.client.post("/session/start", json=body)
        if response.status_code != 200:
            raise RuntimeError(
                f"POST /session/start answered {response.status_code}: {response.text}"
            )
        self.channel, self.token = channel, response.json()["session_token"]

    async def say(self, text: str) -> Reply:
        response = await self.client.post("/chat", json={"message": text}, headers=self._auth())
        body = _json(response)
        code = (body.get("error") or {}).get("code")
        if response.status_code in (404, 405) and code != "session_not_found":
            raise AgentUnavailable(
                f"POST /chat answered {response.status_code} {response.text[:200]}: the app does "
                "not serve the agent yet (is its router included in create_app?)"
            )
        return Reply(text, response.status_code, body)

    async def cart(self) -> dict[str, Any]:
        return await self._get("/cart")

    async def orders(self) -> list[dict[str, Any]]:
        return list((await self._get("/orders", limit=100)).get("items") or [])

    async def product(self, sku: str) -> dict[str, Any]:
        if sku not in self.catalog:
            self.catalog[sku] = await self._get(f"/products/{sku}")
        return dict(self.catalog[sku])

    async def fill(self, text: str) -> str:
        """``text`` with {order_id} replaced by the shopper's newest order id."""
        if "{order_id}" not in text:
            return text
        orders = await self.orders()
        return text.replace("{order_id}", orders[0]["order_id"] if orders else "TL-NOORDERYET")

    def _auth(self) -> dict[str, str]:
        return {"X-Session-Token": self.token}

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(path, params=params, headers=self._auth())
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
        return dict(response.json())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"error": {"code": "not_json", "message": response.text[:300]}}
    return body if isinstance(body, dict) else {"body": body}


# --- dialogues: checking expectations -------------------------------------------------------


@dataclass
class Scene:
    """What one set of expectations is checked against."""

    conversation: Conversation
    earlier: list[Reply]  # the turns before this one, turn 1 first
    cart: dict[str, Any]
    reply: Reply | None = None  # None when checking the outcome
    previous_cart: dict[str, Any] | None = None
    orders_before: int | None = None
    orders_after: int | None = None

    def sku(self, ref: str) -> str | None:
        found = REF.match(ref)
        assert found, ref  # load_dialogues validated it
        if found["turn"]:
            products = self.earlier[int(found["turn"]) - 1].products
        else:
            lists = [r for r in self.earlier if r.action in LIST_ACTIONS and r.products]
            products = lists[-1].products if lists else []
        index = int(found["index"])
        return products[index]["sku"] if -len(products) <= index < len(products) else None

    def turn_products(self, ref: str) -> list[dict[str, Any]]:
        found = TURN_REF.match(str(ref))
        assert found, ref
        return self.earlier[int(found["turn"]) - 1].products


def _lines(cart: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return list((cart or {}).get("items") or [])


def _units(cart: Mapping[str, Any] | None) -> int:
    if cart and "item_count" in cart:
        return int(cart["item_count"])
    return sum(int(line.get("qty", 0)) for line in _lines(cart))


def _signature(cart: Mapping[str, Any] | None) -> list[tuple[str, str, int]]:
    return sorted((li["sku"], str(li["size"]), int(li["qty"])) for li in _lines(cart))


def _mean_price(products: Sequence[Mapping[str, Any]]) -> float | None:
    return sum(float(p["price"]) for p in products) / len(products) if products else None


async def _line_matches(scene: Scene, line: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    if "sku" in want and line["sku"] != want["sku"]:
        return False
    if "sku_from" in want and line["sku"] != scene.sku(want["sku_from"]):
        return False
    if "size" in want and str(line["size"]).casefold() != str(want["size"]).casefold():
        return False
    if "qty" in want and int(line["qty"]) != int(want["qty"]):
        return False
    if "category" in want or "color" in want:
        product = await scene.conversation.product(line["sku"])
        if "category" in want and product.get("category") not in category_ids(want["category"]):
            return False
        if "color" in want and not color_matches(want["color"], product.get("color")):
            return False
    return True


async def _check_cart_has(scene: Scene, wanted: Sequence[Mapping[str, Any]]) -> list[str]:
    problems = []
    for want in wanted:
        matches = [await _line_matches(scene, line, want) for line in _lines(scene.cart)]
        if not any(matches):
            shown = {
                k: (f"{v} = {scene.sku(v)}" if k == "sku_from" else v) for k, v in want.items()
            }
            problems.append(f"no cart line matches {shown}; cart: {_signature(scene.cart)}")
    return problems


def _check_reply(scene: Scene, key: str, value: Any, order_id: str | None) -> list[str]:
    assert scene.reply is not None
    reply = scene.reply
    texts = [str(v).replace("{order_id}", order_id or "{order_id}") for v in value]
    found = [t for t in texts if t.casefold() in reply.reply.casefold()]
    if key == "reply_contains" and len(found) < len(texts):
        return [f"reply lacks {sorted(set(texts) - set(found))}"]
    if key == "reply_contains_any" and not found:
        return [f"reply has none of {texts}"]
    return []


def _check_products(scene: Scene, key: str, value: Any) -> list[str]:
    assert scene.reply is not None
    products = scene.reply.products
    skus = {str(p.get("sku")) for p in products}
    if key == "products_min" and len(products) < value:
        return [f"{len(products)} products, wanted at least {value}"]
    if key == "products_max" and len(products) > value:
        return [f"{len(products)} products, wanted at most {value}"]
    if key == "products_match":
        problems = [problem for p in products for problem in product_problems(p, value)]
        more = [f"… and {len(problems) - 6} more"] if len(problems) > 6 else []
        return problems[:6] + more
    if key == "products_exclude":
        again = skus & {sku for sku in map(scene.sku, value) if sku}
        return [f"shows {sorted(again)} again"] if again else []
    if key == "products_new_vs":
        again = skus & {str(p["sku"]) for p in scene.turn_products(value)}
        return [f"shows {sorted(again)} from {value} again"] if again else []
    if key == "cheaper_than":
        now, before = _mean_price(products), _mean_price(scene.turn_products(value))
        if now is None or before is None or now >= before:
            return [f"mean price {now} is not below {value}'s {before}"]
    return []


def _check_turn_only(scene: Scene, key: str, value: Any) -> list[str]:
    assert scene.reply is not None
    reply = scene.reply
    if key == "action" and reply.action != value:
        return [f"action {reply.action!r}, wanted {value!r}"]
    if key == "action_in" and reply.action not in value:
        return [f"action {reply.action!r}, wanted one of {value}"]
    if key == "asks" and value:
        asks = reply.action.startswith("asked_") and reply.reply.rstrip().endswith("?")
        return [] if asks else [f"no question asked (action {reply.action!r})"]
    if key == "intent":
        intent = (reply.body.get("command") or {}).get("intent")
        return [] if intent == value else [f"understood as {intent!r}, wanted {value!r}"]
    if key == "order_placed":
        placed = (scene.orders_after or 0) > (scene.orders_before or 0)
        return [] if placed == bool(value) else [f"order placed: {placed}, wanted {value}"]
    return _check_products(scene, key, value)


async def _check_cart(scene: Scene, key: str, value: Any) -> list[str]:
    cart = scene.cart
    if key == "cart_count" and _units(cart) != value:
        return [f"cart has {_units(cart)} items, wanted {value}"]
    if key == "cart_lines" and len(_lines(cart)) != value:
        return [f"cart has {len(_lines(cart))} lines, wanted {value}"]
    if key == "cart_has":
        return await _check_cart_has(scene, value)
    if key == "cart_unchanged" and value and _signature(cart) != _signature(scene.previous_cart):
        return [f"cart changed: {_signature(scene.previous_cart)} → {_signature(cart)}"]
    if key == "cart_total_min" and float(cart.get("total") or 0) < value:
        return [f"cart total {cart.get('total')} below {value}"]
    if key == "cart_coupon" and not _has_coupon(cart, value):
        return [f"coupon {value} not applied: {cart.get('coupon')}"]
    if key == "orders_placed":
        placed = (scene.orders_after or 0) - (scene.orders_before or 0)
        return [] if placed == value else [f"{placed} orders placed, wanted {value}"]
    return []


async def check(scene: Scene, expect: Mapping[str, Any]) -> list[str]:
    """Every way ``scene`` falls short of ``expect`` (empty when it all holds)."""
    order_id = None
    if any("{order_id}" in str(v) for v in expect.values()):
        orders = await scene.conversation.orders()
        order_id = orders[0]["order_id"] if orders else None
    problems: list[str] = []
    for key, value in expect.items():
        if key in ("reply_contains", "reply_contains_any"):
            problems += _check_reply(scene, key, value, order_id)
        elif key.startswith("cart_") or key == "orders_placed":
            problems += await _check_cart(scene, key, value)
        else:
            problems += _check_turn_only(scene, key, value)
    return problems


def _has_coupon(cart: Mapping[str, Any], code: str) -> bool:
    coupon = cart.get("coupon") or {}
    if str(coupon.get("code", "")).upper() == code.upper() and coupon.get("applied", True):
        return True
    return any(
        str(o.get("code", "")).upper() == code.upper() for o in cart.get("applied_offers") or []
    )


# --- dialogues: running them ----------------------------------------------------------------


@dataclass
class TurnFailure:
    number: int  # 0: the outcome after the last turn
    say: str
    action: str
    reply: str
    problems: list[str]


@dataclass
class DialogueResult:
    dialogue: Dialogue
    failures: list[TurnFailure]
    transcript: list[Reply]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class DialogueReport:
    results: list[DialogueResult]
    store: str = "sqlite"

    @property
    def success(self) -> float:
        return sum(r.passed for r in self.results) / max(len(self.results), 1)

    def passed(self, threshold: float = THRESHOLD) -> bool:
        return bool(self.results) and self.success >= threshold

    def format(self, *, verbose: bool = False) -> str:
        passed = sum(r.passed for r in self.results)
        lines = [
            f"DIALOGUES  {passed}/{len(self.results)} succeeded ({self.success:.1%}) on "
            f"{self.store}   (threshold {THRESHOLD:.0%})"
        ]
        for result in self.results:
            if result.passed and not verbose:
                continue
            lines.append(f"  {'ok  ' if result.passed else 'FAIL'} {result.dialogue.name}")
            if verbose:
                lines += [
                    f"      {n}. {r.text!r} → {r.action}: {_short(r.reply)}"
                    for n, r in enumerate(result.transcript, 1)
                ]
            for f in result.failures:
                where = "outcome" if f.number == 0 else f"turn {f.number} {f.say!r}"
                lines.append(f"      {where}: action={f.action!r} reply={_short(f.reply)}")
                lines += [f"        - {p}" for p in f.problems]
        return "\n".join(lines)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


async def run_dialogue(
    client: httpx.AsyncClient, dialogue: Dialogue, catalog: dict[str, Any]
) -> DialogueResult:
    """Play one dialogue; every turn is checked even after an earlier one failed."""
    conversation = Conversation(client, dialogue.phone or fresh_phone(), catalog)
    await conversation.join(dialogue.channel)
    orders_at_start = len(await conversation.orders())
    cart = await conversation.cart()
    earlier: list[Reply] = []
    failures: list[TurnFailure] = []
    for number, turn in enumerate(dialogue.turns, 1):
        if turn.channel and turn.channel != conversation.channel:
            await conversation.join(turn.channel)
        counting = "order_placed" in turn.expect
        before = len(await conversation.orders()) if counting else None
        reply = await conversation.say(await conversation.fill(turn.say))
        problems = reply.shape_problems()
        if not problems:
            after = len(await conversation.orders()) if counting else None
            scene = Scene(
                conversation,
                earlier,
                cart=reply.cart or {},
                reply=reply,
                previous_cart=cart,
                orders_before=before,
                orders_after=after,
            )
            problems = await check(scene, turn.expect)
        if problems:
            failures.append(TurnFailure(number, reply.text, reply.action, reply.reply, problems))
        earlier.append(reply)
        cart = reply.cart if reply.cart is not None else cart
    outcome = Scene(conversation, earlier, await conversation.cart(), orders_before=orders_at_start)
    outcome.orders_after = len(await conversation.orders())
    if problems := await check(outcome, dialogue.outcome):
        failures.append(TurnFailure(0, "", "", "", problems))
    return DialogueResult(dialogue, failures, earlier)


@asynccontextmanager
async def demo_client(database_url: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a store holding the demo data (a temporary SQLite file unless given a URL).

    Demo data loads only into an empty store, so a store that already holds a catalog (an
    imported one) keeps it and gains the demo shops, customers and offers.
    """
    from tests.conftest import make_settings
    from threadline.app import create_app

    with tempfile.TemporaryDirectory(prefix="threadline-eval-") as tmp:
        settings = make_settings(
            database_url or f"sqlite:///{Path(tmp) / 'eval.db'}",
            load_demo_data=True,
            demo_customers=5,
            demo_products=DEMO_PRODUCTS,
            data_dir=Path(tmp),
            access_log=False,
            log_level="WARNING",
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        # Loading 1,200 products and indexing them takes longer than asgi-lifespan's 5 s default.
        async with (
            LifespanManager(app, startup_timeout=120, shutdown_timeout=30),
            httpx.AsyncClient(transport=transport, base_url="http://threadline.eval") as client,
        ):
            yield client


async def run_dialogues(
    dialogues: Sequence[Dialogue], *, database_url: str | None = None
) -> DialogueReport:
    """Every dialogue against one app with the demo data; each shopper has their own session."""
    results = []
    catalog: dict[str, Any] = {}
    async with demo_client(database_url) as client:
        for dialogue in dialogues:
            try:
                results.append(await run_dialogue(client, dialogue, catalog))
            except AgentUnavailable:
                raise
            except Exception as exc:  # one broken conversation must not hide the others
                crash = TurnFailure(0, "", "", "", [f"the dialogue crashed: {exc!r}"])
                results.append(DialogueResult(dialogue, [crash], []))
    store = (database_url or "sqlite").split(":", 1)[0].split("+", 1)[0]
    return DialogueReport(results, store)


# --- the command line -----------------------------------------------------------------------


def _selected_utterances(utterances: list[Utterance], name: str | None) -> list[Utterance]:
    if not name:
        return utterances
    return [u for u in utterances if name in (u.intent, *u.tags) or name.lower() in u.text.lower()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.agent.eval.run",
        description="Score the sales agent's understanding and run its dialogues.",
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--utterances-only", action="store_true", help="score understanding only")
    only.add_argument("--dialogues-only", action="store_true", help="run the dialogues only")
    parser.add_argument("--verbose", "-v", action="store_true", help="show passing items too")
    parser.add_argument(
        "--filter",
        metavar="NAME",
        help="dialogues whose name contains NAME; utterances of that intent or tag, or containing it",
    )
    parser.add_argument("--vocabulary", choices=("demo", "default"), default="demo")
    parser.add_argument("--database-url", help="run the dialogues on this (empty) store")
    parser.add_argument(
        "--utterances-file", type=Path, default=UTTERANCES, metavar="PATH", help="utterance set"
    )
    parser.add_argument(
        "--dialogues-file", type=Path, default=DIALOGUES, metavar="PATH", help="dialogue set"
    )
    args = parser.parse_args(argv)
    ok = True
    try:
        if not args.dialogues_only:
            utterances = _selected_utterances(load_utterances(args.utterances_file), args.filter)
            report = asyncio.run(
                evaluate_utterances(utterances, make_understander(args.vocabulary))
            )
            print(report.format(verbose=args.verbose), end="\n\n")
            ok = ok and report.passed()
        if not args.utterances_only:
            dialogues = [
                d
                for d in load_dialogues(args.dialogues_file)
                if not args.filter or args.filter in d.name
            ]
            outcome = asyncio.run(run_dialogues(dialogues, database_url=args.database_url))
            print(outcome.format(verbose=args.verbose))
            ok = ok and outcome.passed()
    except (AgentUnavailable, EvalDataError) as exc:
        print(f"cannot evaluate: {exc}", file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
