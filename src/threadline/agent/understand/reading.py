"""What has been read from one message so far: slots, cues and the words still to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Stand-ins for cut-out numbers and codes; private-use characters are removed from the input
# first, so a shopper cannot type them.
CUT = "\ue000"
CUT_ORDINAL = "\ue001"


@dataclass(slots=True)
class Reading:
    text: str  # normalised, lower case; numbers and codes are cut out as they are read
    original: str  # normalised, case kept (for coupon codes written in capitals)
    slots: dict[str, Any] = field(default_factory=dict)
    cues: set[str] = field(default_factory=set)
    # Words of the text with no meaning found (not fillers): the search query, or noise.
    leftovers: list[str] = field(default_factory=list)
    # Numbers that are neither a price, a size, a quantity nor a position ("2", "32").
    numbers: list[int] = field(default_factory=list)
    # The leftovers the catalog knows ("linen", "printed"): the search query.
    query: str | None = None
    # "wallet" was said: True after a payment word ("pay by wallet").
    wallet: bool | None = None
    # "the jeans", "that shirt": the product words name one already shown.
    definite: bool = False

    def put(self, slot: str, value: Any) -> None:
        """Fill ``slot`` unless the message already filled it (the first mention wins)."""
        if value is not None and slot not in self.slots:
            self.slots[slot] = value
