"""Understanding scored on single messages: each utterance goes straight to
``threadline.agent.understand`` and is scored by command accuracy (intent exact), slot F1 (micro
over (slot, value) pairs, ``query`` left out) and accuracy per intent.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.agent.eval.report import format_understanding
from tests.agent.eval.sets import DEMO_PRODUCTS, THRESHOLD, AgentUnavailable, Utterance
from threadline.agent.commands import Command

# The spec normalises "bengaluru" to "Bangalore" while the demo shops are in "Bengaluru" and
# "New Delhi": a city is scored as the same place under any of its names.
CITY_ALIASES = {
    "bengaluru": "bangalore",
    "new delhi": "delhi",
    "bombay": "mumbai",
    "madras": "chennai",
    "calcutta": "kolkata",
}


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
        return format_understanding(self, verbose=verbose)


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
