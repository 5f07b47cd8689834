"""``POST /chat``: one message to the sales agent; ``GET /chat/history``: the conversation."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic_core import to_json

from threadline.agent import turns
from threadline.agent.engine import SalesAgent
from threadline.agent.schemas import ChatHistory, ChatMessage, ChatReply
from threadline.catalog.dependencies import current_index
from threadline.core import metrics
from threadline.db import DbSession, commit_now, rollback_now
from threadline.payments.dependencies import GatewayDep
from threadline.sessions.dependencies import CurrentSession, SessionCacheDep

router = APIRouter(tags=["conversation"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "session_token_required"},
    404: {"description": "session_not_found"},
    422: {"description": "validation_error: message must be 1 to 2000 characters"},
    503: {"description": "chat_busy: earlier messages of the conversation are still running"},
}


@router.post("/chat", response_model=ChatReply, responses=_ERRORS)
async def chat(
    body: ChatMessage,
    request: Request,
    db: DbSession,
    cache: SessionCacheDep,
    gateway: GatewayDep,
    ctx: CurrentSession,
) -> Response:
    """Say something to the sales agent; it answers from the store's own data.

    Messages of one session are answered one at a time, in the order they arrived, even when
    they reach different server processes.  The reply, the products it shows, the cart after
    the turn and 2–4 suggestions come back; the turn joins the session's chat context.
    """
    started = time.perf_counter()
    state = request.app.state
    queue: turns.TurnQueue = state.turn_queue
    agent: SalesAgent = state.sales_agent
    # Authentication may have written (a sliding expiry); end that unit so no connection or
    # lock is held while this message waits for the ones before it.
    await commit_now(db, effect=False)
    ticket = await queue.take_ticket(ctx.session.session_id, ctx.channel, body.message)
    try:
        await queue.wait_for_turn(ticket)
        reply = await agent.run_turn(
            db,
            cache=cache,
            gateway=gateway,
            index=current_index(state),
            ctx=ctx,
            ticket=ticket,
            message=body.message,
        )
        await commit_now(db)
        queue.wake(ticket.session_id)
        reply = await agent.polish(db, cache, ctx, ticket, reply)
    except BaseException:
        await rollback_now(db)
        await asyncio.shield(queue.fail(ticket))
        queue.wake(ticket.session_id)
        raise
    elapsed = time.perf_counter() - started
    metrics.CHAT_TURN_SECONDS.observe(elapsed)
    timing = f"turn;dur={elapsed * 1000:.2f}"
    if reply.llm_seconds:
        timing += f", llm;dur={reply.llm_seconds * 1000:.2f}"
    # Declared as ChatReply for the OpenAPI description; built from already-shaped data
    # (rendered products, the cart view), so it is sent without a second validation.
    return Response(
        to_json(reply.body()), media_type="application/json", headers={"Server-Timing": timing}
    )


@router.get("/chat/history", response_model=ChatHistory, responses=_ERRORS)
async def chat_history(
    db: DbSession,
    ctx: CurrentSession,
    # chat_turns.seq is a 32-bit INTEGER: a larger number is no turn, and the store refuses it.
    before: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Turns older than this one")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The conversation's answered turns, newest first, from every channel."""
    rows = await turns.history(db, ctx.session.session_id, before=before, limit=limit)
    items = [
        {
            "turn": r.seq,
            "channel": r.channel,
            "message": r.message,
            "reply": r.reply,
            "action": r.action,
            "skus": r.skus or [],
            "created_at": r.created_at,
        }
        for r in rows
    ]
    next_before = rows[-1].seq if len(rows) == limit and rows[-1].seq > 1 else None
    return {"items": items, "next_before": next_before}
