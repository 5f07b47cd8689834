"""``understand``: one shopper message → one :class:`Command`, offline, in well under a millisecond.

The message is normalised (NFKC, lower case, apostrophes and digit-group commas dropped),
misspelt words are corrected towards the vocabulary, codes and numbers are read and cut out
(``codes``, ``numbers``), the remaining words are matched against the vocabulary's phrases and read in
context (``words``), and the intent is decided from what was found (``intents``).  Nothing here
looks at the conversation: "the second one" is ``ordinal=2`` and the engine knows which.
"""

from __future__ import annotations

import re
import unicodedata

import structlog

from threadline.agent.commands import Command, Intent, Slots
from threadline.agent.understand.codes import read_codes
from threadline.agent.understand.common import COMMON_WORDS
from threadline.agent.understand.intents import ALLOWED, decide
from threadline.agent.understand.numbers import read_numbers
from threadline.agent.understand.reading import Reading
from threadline.agent.understand.vocabulary import Vocabulary
from threadline.agent.understand.words import read_words
from threadline.catalog.search_text import stem

log = structlog.get_logger()

# Longer input is cut: no shopper request needs more, and the work stays bounded.
MAX_CHARS = 2000
# Unknown words per message the typo fixer may look at (each costs a fuzzy lookup).
MAX_TYPO_GUESSES = 24
_DROPPED = re.compile(r"[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]")
_APOSTROPHES = str.maketrans("", "", "'’`‘")
_DIGIT_GROUPS = re.compile(r"(?<=[0-9]),(?=[0-9])")
_WORD = re.compile(r"(?<![a-z0-9])[a-z]{4,}(?![a-z0-9])")
_QUERY_MAX = 200


def understand(message: str, vocab: Vocabulary) -> Command:
    """What ``message`` asks for, as a command (``source="offline"``); never raises."""
    try:
        return read(message, vocab)
    except Exception:  # a bug here must cost one reply, not the turn
        log.warning("agent.understand_failed", exc_info=True)
        return Command(intent=Intent.UNKNOWN)


def read(message: str, vocab: Vocabulary) -> Command:
    """:func:`understand` without the safety net (tests call this one)."""
    text = normalise(message)
    r = Reading(text=_fix_typos(text.lower(), vocab), original=text)
    read_codes(r, vocab)
    read_numbers(r)
    read_words(r, vocab)
    _read_bare_number(r)
    r.query = _query(r, vocab)
    intent = decide(r)
    allowed = ALLOWED.get(intent, frozenset())
    slots = {k: v for k, v in r.slots.items() if k in allowed}
    if "query" in allowed and r.query:
        slots["query"] = r.query
    return Command(intent=intent, slots=Slots(**slots), source="offline")


def normalise(message: str) -> str:
    text = unicodedata.normalize("NFKC", message[: MAX_CHARS * 2])[:MAX_CHARS]
    text = _DROPPED.sub(" ", text).translate(_APOSTROPHES)
    return _DIGIT_GROUPS.sub("", text)


def _fix_typos(text: str, vocab: Vocabulary) -> str:
    budget = MAX_TYPO_GUESSES

    def fix(m: re.Match[str]) -> str:
        nonlocal budget
        word = m.group(0)
        if vocab.is_known(word):
            return word
        if word not in vocab.typos:
            if budget <= 0:
                return word
            budget -= 1
        return vocab.correct(word)

    return _WORD.sub(fix, text)


def _read_bare_number(r: Reading) -> None:
    """A number nothing else claimed: a quantity when small ("2"), a waist size ("32")."""
    if len(r.numbers) != 1:
        return
    value = r.numbers[0]
    if 1 <= value <= 10:
        r.put("qty", value)
    elif 24 <= value <= 48:
        r.put("size", str(value))


def _query(r: Reading, vocab: Vocabulary) -> str | None:
    """The descriptive words left over ("linen", "printed"), if the catalog knows them."""
    kept: dict[str, None] = {}
    for word in r.leftovers:
        if not word.isalpha() or len(word) < 3 or word in COMMON_WORDS:
            continue
        if vocab.query_words is not None and stem(word) not in vocab.query_words:
            continue
        kept.setdefault(word, None)
    return " ".join(kept)[:_QUERY_MAX].strip() or None
