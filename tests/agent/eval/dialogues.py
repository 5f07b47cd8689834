"""The agent on whole dialogues: each one played in-process through ``POST /chat`` against the app
with the demo catalog, every turn's expectations checked even after an earlier turn failed, then
the outcome after the last turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tests.agent.eval.client import Conversation, Reply, demo_client, fresh_phone
from tests.agent.eval.expectations import Scene, check
from tests.agent.eval.report import format_dialogues
from tests.agent.eval.sets import THRESHOLD, AgentUnavailable, Dialogue


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
        return format_dialogues(self, verbose=verbose)


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
