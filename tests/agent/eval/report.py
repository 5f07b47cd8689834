"""The reports ``make eval`` prints and a failing test shows: scores first, then what failed
(everything with ``verbose``), each failing turn with the agent's action, reply and problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tests.agent.eval.sets import THRESHOLD

if TYPE_CHECKING:
    from tests.agent.eval.dialogues import DialogueReport
    from tests.agent.eval.scoring import UtteranceReport


def format_understanding(report: UtteranceReport, *, verbose: bool = False) -> str:
    lines = [
        f"UNDERSTANDING  {len(report.results)} utterances   command accuracy "
        f"{report.accuracy:.1%}   slot F1 {report.slot_f1:.1%}   (threshold {THRESHOLD:.0%})",
        "  per intent:",
    ]
    lines += [
        f"    {intent:<20} {right:>3}/{total:<3} {right / total:6.1%}"
        for intent, (right, total) in report.per_intent().items()
    ]
    wrong = [r for r in report.results if verbose or not r.ok]
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


def format_dialogues(report: DialogueReport, *, verbose: bool = False) -> str:
    passed = sum(r.passed for r in report.results)
    lines = [
        f"DIALOGUES  {passed}/{len(report.results)} succeeded ({report.success:.1%}) on "
        f"{report.store}   (threshold {THRESHOLD:.0%})"
    ]
    for result in report.results:
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
