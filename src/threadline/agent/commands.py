"""What the sales agent understood: one typed command per shopper message.

Understanding (offline, or a language model's tool call) produces a :class:`Command`; the
worker agents act on it through the domain services; nothing else crosses that line.  A slot
holds a value in the catalog's own vocabulary (a category id, a size as the catalog spells it,
rupees as integers), so a command can be checked, executed and evaluated without guessing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Intent(StrEnum):
    # conversation
    GREETING = "greeting"
    HELP = "help"
    SMALL_TALK = "small_talk"  # thanks, bye, how are you, jokes
    UNKNOWN = "unknown"
    CONFIRM = "confirm"  # yes / ok / go ahead: answers the agent's last question
    DENY = "deny"  # no / cancel / not now
    INFORM = "inform"  # a bare size, quantity or reference: "M", "size 32", "the blue one"
    # finding products (recommendation worker)
    SEARCH = "search"  # a new product search
    REFINE = "refine"  # change the current search: colour, price, "cheaper ones", "same in black"
    SHOW_MORE = "show_more"  # next page of the current search
    SHOW_DETAILS = "show_details"  # tell me about the second one
    COMPLETE_LOOK = "complete_look"  # what goes with it
    REJECT = "reject"  # I don't like that one
    # stock (inventory worker)
    CHECK_AVAILABILITY = "check_availability"  # is it in stock in M / at the Pune store
    STORE_LOCATOR = "store_locator"  # where is your store in Delhi
    # cart (cart worker)
    ADD_TO_CART = "add_to_cart"
    CHANGE_ITEM = "change_item"  # change size or quantity of a cart line
    REMOVE_ITEM = "remove_item"
    VIEW_CART = "view_cart"
    # offers and loyalty
    APPLY_COUPON = "apply_coupon"
    OFFERS = "offers"  # any offers? my points? my tier?
    # checkout (payment and fulfilment workers)
    CHECKOUT = "checkout"
    CHOOSE_PAYMENT = "choose_payment"
    CHOOSE_FULFILLMENT = "choose_fulfillment"
    # after the sale (support worker)
    ORDER_STATUS = "order_status"
    RETURN_ITEM = "return_item"
    TALK_TO_STAFF = "talk_to_staff"


PaymentMethod = Literal["upi", "card", "cod", "wallet"]
FulfillmentType = Literal["delivery", "pickup", "reserve_in_store"]
Gender = Literal["men", "women", "boys", "girls", "kids"]
Occasion = Literal["casual", "formal", "party", "festive", "sports"]
# How a message points at a product:
#   "it"   — this/that/it/that shirt: the product in focus (last shown, detailed or added)
#   "one"  — "the blue one", "the cheaper one": the last shown product that fits the other slots
#   "same" — "same in black", "same one in L": the product in focus, varied by the other slots
Reference = Literal["it", "one", "same"]


class Slots(BaseModel):
    """Everything a command can carry; unset slots are None.  Prices are whole rupees."""

    model_config = ConfigDict(extra="forbid")

    # product attributes, in catalog vocabulary
    category: Annotated[str, Field(max_length=40)] | None = None  # taxonomy id: "tshirt"
    color: Annotated[str, Field(max_length=40)] | None = None  # lower case: "navy blue"
    size: Annotated[str, Field(max_length=24)] | None = None  # as sold: "M", "32", "UK 9"
    gender: Gender | None = None
    occasion: Occasion | None = None
    brand: Annotated[str, Field(max_length=80)] | None = None  # as the catalog spells it
    min_price: Annotated[int, Field(ge=0)] | None = None
    max_price: Annotated[int, Field(ge=0)] | None = None
    price_direction: Literal["lower", "higher"] | None = None  # "cheaper ones", "premium"
    # free words that narrow a search beyond the attributes ("linen", "oxford", "printed")
    query: Annotated[str, Field(max_length=200)] | None = None
    # which product
    ordinal: int | None = None  # 1-based position in the last shown products; -1 the last
    ref: Reference | None = None
    sku: Annotated[str, Field(max_length=64)] | None = None
    # cart and checkout
    qty: Annotated[int, Field(ge=0, le=99)] | None = None
    coupon: Annotated[str, Field(max_length=40)] | None = None  # upper case
    payment_method: PaymentMethod | None = None
    fulfillment: FulfillmentType | None = None
    city: Annotated[str, Field(max_length=80)] | None = None  # "Mumbai"
    use_points: bool | None = None
    # after the sale
    order_id: Annotated[str, Field(max_length=64)] | None = None

    def filled(self) -> dict[str, Any]:
        """The slots that are set (what evaluation compares)."""
        return self.model_dump(exclude_none=True)


class Command(BaseModel):
    """One understood message."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    slots: Slots = Field(default_factory=Slots)
    # Which layer produced it: "offline", "llm", or "button" (a channel's button that names its
    # action); reported in logs and metrics.
    source: Literal["offline", "llm", "button"] = "offline"

    def describe(self) -> str:
        slots = ", ".join(f"{k}={v}" for k, v in self.slots.filled().items())
        return f"{self.intent.value}({slots})"
