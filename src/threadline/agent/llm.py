"""The optional language model: any OpenAI-compatible chat-completions endpoint.

It does two things, both optional.  :meth:`LanguageModel.understand` turns a shopper message
into a :class:`~threadline.agent.commands.Command` through one forced tool call, checked
against the same pydantic models the offline understanding fills.  :meth:`LanguageModel.phrase`
rewords a reply the composer wrote from database facts, and the rewording is kept only when
it adds no number, code or name the draft and facts do not already contain.

Neither method raises (except ``asyncio.CancelledError``): an error status, a timeout, a
refused connection or an answer that does not fit returns ``None``, logs one
``agent.llm_fallback`` warning with a ``reason`` and counts it in
``threadline_agent_llm_fallbacks_total``; the engine then uses the offline path in the same
turn.  Reasons: timeout, connection_error, rate_limited, http_error, invalid_json, no_choices,
no_tool_call, bad_arguments, unknown_intent, invalid_slots, no_content, unverified, unexpected.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import httpx
import structlog
from pydantic import ValidationError

from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.honesty import unverified
from threadline.catalog.taxonomy import CATEGORIES
from threadline.config import Settings
from threadline.core import metrics

log = structlog.get_logger()

TOOL_NAME = "shopper_command"
CATEGORY_GROUPS = ("topwear", "bottomwear", "ethnic", "footwear", "accessories")
CATEGORY_VALUES = frozenset(CATEGORIES) | frozenset(CATEGORY_GROUPS)
INTENT_VALUES = frozenset(i.value for i in Intent)

UNDERSTAND_PROMPT = """\
You are the understanding layer of Threadline, a fashion retailer's sales assistant in India. \
Call shopper_command exactly once with the intent and slots of the shopper's latest message. \
You never answer the shopper yourself. The shopper may write English, Hindi or Hinglish.
Intents, close calls:
- search: names a product category, or asks for products for a brand or occasion; a new \
category is a new search ("now show me jeans"). refine: changes the current results without \
naming a category ("in black", "under 2k", "cheaper ones", "same in black", "only Metro Loom"). \
inform: only a size or quantity, no verb ("M", "size 32", "2").
- The verb wins over the category: "add the jeans" add_to_cart, "remove the jeans" \
remove_item, "make it 2"/"change the size to L" change_item. "buy X"/"I'll take X" is \
add_to_cart; "buy now"/"pay"/"place the order" is checkout.
- Checkout wins over payment and fulfilment words: "checkout with UPI" is checkout with \
payment_method upi; a payment method alone is choose_payment; delivery/pickup alone is \
choose_fulfillment.
- confirm/deny answer the assistant's question (yes, ok, haan / no, nahi, cancel). greeting is \
hello only; small_talk is thanks, bye, chit-chat; unknown is nothing shoppable.
Slots: only what this message says; omit the rest. Use the catalog's words:
- category: tee→tshirt, chinos/pants→trousers, kurti→kurta, trainers→sneakers, \
shoes/joota→footwear, saree/sari→saree, lehenga/sherwani→ethnic_set, ethnic wear→ethnic.
- color in lower-case English (kala→black). size as sold: medium→M, extra large→XL, waist \
32→32, UK 9, Free Size. gender: wife/mom/ladies→women, husband/dad/gents→men, son→boys, \
daughter→girls. occasion: wedding/diwali/puja→festive, office/interview→formal, date→party, \
gym/yoga→sports, college/everyday→casual. brand as the catalog spells it.
- Whole rupees: under 2k→max_price 2000, above 3000→min_price 3000, between 1000 and \
2000→both, around 1500→1200 and 1800. cheaper/sasta/budget→price_direction lower; \
premium→higher.
- ordinal: 1-based position among the products last shown, -1 for the last. ref: it \
(it/this/that shirt), one ("the blue one"), same ("same in black"). sku only for a product \
code the shopper typed.
- coupon upper case. payment_method: gpay/phonepe/paytm→upi, cash on delivery→cod. \
fulfillment: ship it→delivery, collect in store→pickup, hold it at the store→reserve_in_store. \
city capitalised (bengaluru→Bangalore). order_id like TL-ABCDEFGH23.
Use the context only to choose the intent (a bare "M" after "which size?" is inform); take \
slots from the message, never from the context."""

PHRASE_PROMPT = """\
You reword the replies of Threadline, a fashion retailer's sales assistant in India. Rewrite \
the draft reply warmly and briefly, in the language the shopper writes in (English, Hindi or \
Hinglish). Keep every fact: each price, number, percentage, size, product name, code and list \
item exactly as written, and keep lists in their order. Add nothing: no product, price, \
discount, stock level, date or promise that is not in the draft. Answer with the reply only."""

_SLOT_HINTS = {
    "category": "taxonomy id or group",
    "min_price": "whole rupees",
    "max_price": "whole rupees",
    "ordinal": "1-based position among the last shown products; -1 the last",
    "size": "as sold: S, M, L, XL, XXL, 32, UK 9, Free Size",
}


_SCHEMA_NOISE = frozenset({"title", "default", "$defs", "description"})


def _clean(node: Any, defs: dict[str, Any]) -> Any:
    """Inline ``$ref``s, drop titles and defaults, and make ``X | None`` plain ``X``."""
    if isinstance(node, list):
        return [_clean(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _clean(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    options = node.get("anyOf")
    if options and any(o == {"type": "null"} for o in options):
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) == 1:  # an optional slot is simply left out, never sent as null
            merged = {k: v for k, v in node.items() if k != "anyOf"}
            return _clean({**rest[0], **merged}, defs)
    cleaned = {k: _clean(v, defs) for k, v in node.items() if k not in _SCHEMA_NOISE}
    if isinstance(node.get("properties"), dict):  # property names are kept whatever they are
        cleaned["properties"] = {k: _clean(v, defs) for k, v in node["properties"].items()}
    return cleaned


def command_schema() -> dict[str, Any]:
    """The tool's ``parameters``: Command's intent and slots as one self-contained schema."""
    raw = Slots.model_json_schema()
    slots = _clean(raw, raw.get("$defs", {}))
    slots["properties"]["category"]["enum"] = sorted(CATEGORY_VALUES)
    for name, hint in _SLOT_HINTS.items():
        slots["properties"][name]["description"] = hint
    slots["additionalProperties"] = False
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": [i.value for i in Intent]},
            "slots": slots,
        },
        "required": ["intent", "slots"],
        "additionalProperties": False,
    }


class _Fallback(Exception):
    """An answer the engine cannot use; ``reason`` is the metric label."""

    def __init__(self, reason: str, **detail: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class LanguageModel:
    """A chat-completions client for understanding and phrasing, with the offline path as net."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self._model = settings.llm_model
        self._phrasing = settings.llm_phrasing
        self._timeout = settings.llm_timeout_seconds
        key = settings.llm_api_key.get_secret_value()
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        # Built once: the request body differs per call only in its messages.
        self._tools = [
            {
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "description": "Record what the shopper's message asks for.",
                    "parameters": command_schema(),
                },
            }
        ]
        self._tool_choice = {"type": "function", "function": {"name": TOOL_NAME}}

    @property
    def enabled(self) -> bool:
        return bool(self._settings.llm_base_url and self._settings.llm_model)

    async def understand(self, message: str, context: str) -> Command | None:
        """The model's command for ``message``, or None: the offline understanding answers."""
        if not self.enabled:
            return None
        system = f"{UNDERSTAND_PROMPT}\n\nContext:\n{context}" if context else UNDERSTAND_PROMPT
        body = {
            "model": self._model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": message},
            ],
            "tools": self._tools,
            "tool_choice": self._tool_choice,
            "temperature": 0,
        }
        started = time.perf_counter()
        try:
            answer = await self._complete(body)
            command = _command_from(_tool_arguments(answer))
        except _Fallback as fallback:
            self._fallback("understand", fallback, started)
            return None
        except Exception as exc:  # never let the optional layer break a turn
            self._fallback("understand", _Fallback("unexpected", error=type(exc).__name__), started)
            return None
        log.debug("agent.llm_understood", intent=command.intent.value, ms=_ms(started))
        return command

    async def phrase(self, draft: str, facts: Sequence[str], context: str) -> str | None:
        """``draft`` reworded, when every figure and name in the rewording checks out."""
        if not (self.enabled and self._phrasing and draft.strip()):
            return None
        listed = "\n".join(f"- {fact}" for fact in facts) or "(none)"
        prompt = (
            f"Facts:\n{listed}\n\nConversation:\n{context or '(none)'}\n\nDraft reply:\n{draft}"
        )
        body = {
            "model": self._model,
            "messages": [
                {"role": "system", "content": PHRASE_PROMPT},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0.3,
        }
        started = time.perf_counter()
        try:
            content = _message(await self._complete(body)).get("content")
            if not isinstance(content, str):
                raise _Fallback("no_content")
            text = content.strip()
            failed = unverified(text, draft, facts)
            if failed:
                raise _Fallback("unverified", check=failed)
        except _Fallback as fallback:
            self._fallback("phrase", fallback, started)
            return None
        except Exception as exc:
            self._fallback("phrase", _Fallback("unexpected", error=type(exc).__name__), started)
            return None
        return text

    async def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST one chat completion; the timeout covers connecting, waiting and reading."""
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.post(
                    self._url, json=body, headers=self._headers, timeout=self._timeout
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise _Fallback("timeout", error=type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise _Fallback("connection_error", error=type(exc).__name__) from None
        if response.status_code == 429:
            raise _Fallback("rate_limited", status=429)
        if not response.is_success:
            raise _Fallback("http_error", status=response.status_code)
        try:
            answer = json.loads(response.content)
        except ValueError:
            raise _Fallback("invalid_json", status=response.status_code) from None
        if not isinstance(answer, dict):
            raise _Fallback("no_choices")
        return answer

    def _fallback(self, stage: str, fallback: _Fallback, started: float) -> None:
        metrics.LLM_FALLBACKS.labels(stage=stage, reason=fallback.reason).inc()
        # Never the key, the message or the model's text: only what went wrong.
        log.warning(
            "agent.llm_fallback",
            stage=stage,
            reason=fallback.reason,
            model=self._model,
            ms=_ms(started),
            **fallback.detail,
        )


def create_language_model(settings: Settings, http: httpx.AsyncClient) -> LanguageModel | None:
    """The configured model, or None when LLM_BASE_URL or LLM_MODEL is unset."""
    model = LanguageModel(settings, http)
    return model if model.enabled else None


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _message(answer: dict[str, Any]) -> dict[str, Any]:
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _Fallback("no_choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise _Fallback("no_choices")
    return message


def _tool_arguments(answer: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments from ``tool_calls`` or the legacy ``function_call``."""
    message = _message(answer)
    calls = message.get("tool_calls")
    call = calls[0] if isinstance(calls, list) and calls else message.get("function_call")
    function = call.get("function", call) if isinstance(call, dict) else None
    if not isinstance(function, dict) or function.get("name") not in (TOOL_NAME, None):
        raise _Fallback("no_tool_call")
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            raise _Fallback("bad_arguments") from None
    if not isinstance(arguments, dict):
        raise _Fallback("bad_arguments")
    return arguments


def _command_from(arguments: dict[str, Any]) -> Command:
    if set(arguments) - {"intent", "slots"}:
        raise _Fallback("bad_arguments")
    intent = arguments.get("intent")
    if not isinstance(intent, str) or intent not in INTENT_VALUES:
        raise _Fallback("unknown_intent")
    raw = arguments.get("slots") or {}
    if not isinstance(raw, dict):
        raise _Fallback("bad_arguments")
    # Some models send unset slots as null or "": both mean "not said".
    values = {k: v for k, v in raw.items() if v is not None and v != ""}
    if isinstance(values.get("category"), str):
        values["category"] = values["category"].strip().lower()
        if values["category"] not in CATEGORY_VALUES:
            raise _Fallback("invalid_slots", fields=["category"])
    try:
        return Command(intent=Intent(intent), slots=Slots.model_validate(values), source="llm")
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        raise _Fallback("invalid_slots", fields=fields) from None


# --- the honesty check for reworded replies ---------------------------------------------------
