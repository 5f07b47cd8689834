"""The offline understanding layer of the sales agent: rules, no model.

``understand(message, vocab)`` turns one shopper message into one
:class:`~threadline.agent.commands.Command` following ``docs/agent-commands.md``; a
:class:`Vocabulary` holds the words it knows (the taxonomy, colours, store cities and, from a
catalog index, brands and skus).  It is pure, synchronous and context-free.
"""

from threadline.agent.understand.parse import understand
from threadline.agent.understand.vocabulary import Vocabulary

__all__ = ["Vocabulary", "understand"]
