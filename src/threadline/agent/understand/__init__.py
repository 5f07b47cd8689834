"""The offline understanding layer of the sales agent: rules, no model.

``understand(message, vocab)`` turns one shopper message into one
:class:`~threadline.agent.commands.Command` following ``docs/agent-commands.md``; a
:class:`Vocabulary` holds the words it knows (the taxonomy, colours, store cities and, from a
catalog index, brands and skus).  It is synchronous and context-free, and pure but for the
vocabulary's memo of corrected spellings.

The rules for close calls are documented where they are applied: ``codes`` (order ids,
coupons, skus), ``numbers`` (prices need a price cue; sizes; quantities; positions),
``words`` (ordinals, "one", references, brands, "wallet") and ``intents`` (which intent
wins, and which slots each keeps).  In short: a slot is filled only from words that say it,
an ambiguous word is left out rather than guessed, and a verb decides the intent before a
product word does.
"""

from threadline.agent.understand.parse import understand
from threadline.agent.understand.vocabulary import Vocabulary

__all__ = ["Vocabulary", "understand"]
