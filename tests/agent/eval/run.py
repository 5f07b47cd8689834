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

This module is the command line; it re-exports the evaluation's API so that pytest
(``tests/agent/test_eval.py``) and ``make eval`` run exactly the same code:

    sets.py          the YAML sets loaded and validated; THRESHOLD and the errors
    scoring.py       understanding scores (command accuracy, slot F1, per intent)
    client.py        the app in-process on the demo data; one shopper's conversation
    expectations.py  a turn's or outcome's expectations checked against the app
    dialogues.py     the dialogue driver
    report.py        the printed reports
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.agent.eval.client import demo_client, fresh_phone
from tests.agent.eval.dialogues import DialogueReport, run_dialogues
from tests.agent.eval.expectations import product_problems
from tests.agent.eval.scoring import UtteranceReport, evaluate_utterances, make_understander
from tests.agent.eval.sets import (
    DIALOGUES,
    THRESHOLD,
    UTTERANCES,
    AgentUnavailable,
    Dialogue,
    EvalDataError,
    Utterance,
    load_dialogues,
    load_utterances,
)

# What tests/agent/test_eval.py and test_chat_search_consistency.py use, with the types they see.
__all__ = [
    "THRESHOLD",
    "AgentUnavailable",
    "Dialogue",
    "DialogueReport",
    "EvalDataError",
    "Utterance",
    "UtteranceReport",
    "demo_client",
    "evaluate_utterances",
    "fresh_phone",
    "load_dialogues",
    "load_utterances",
    "main",
    "make_understander",
    "product_problems",
    "run_dialogues",
]


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
