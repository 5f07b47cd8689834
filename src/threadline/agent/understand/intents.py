"""From what a message says to one intent, and the slots that intent carries.

The rules run in order and the first that applies decides; the order is the spec's rules for
close calls (``docs/agent-commands.md``):

1. An order id, a person, a return, an order's whereabouts, a coupon code: support and offers
   words are unambiguous, so they go first.
2. Cart verbs: remove, change ("make it 3", "change the size to L"), add; checkout words,
   which beat payment and fulfilment words ("checkout with UPI" is checkout; "pay" alone is
   checkout, "pay by card" a payment choice); "buy X" / "I'll take X", which is add_to_cart
   when X points at a product (the second one, the jeans, it) and a search when it names a
   kind of product ("I want to buy shoes"); then the cart itself ("my bag").
3. Product questions: complete the look, availability, dislikes, details.
4. Offers, fulfilment, stores, payment; "do you have …" (a search for a kind of product, an
   availability question about a shown one); show more.
5. A category word is a search (a new topic) unless the message points at a shown product
   ("that shirt" alone answers "which one?"); brand, occasion or gender with "show me" /
   "something" is a search too.
6. Yes and no, when nothing else was said; then attributes alone are a refine, and a bare
   size, quantity, position or city is an inform.
7. Greetings, small talk, and unknown for the rest.

Each intent then keeps only the slots it can use: a price in "where is my order under 2k"
is noise, not a filter.
"""

from __future__ import annotations

from threadline.agent.commands import Intent
from threadline.agent.understand.reading import Reading

_PRODUCT = frozenset(
    {"category", "color", "size", "gender", "occasion", "brand"}
    | {"min_price", "max_price", "price_direction", "query"}
)
_WHICH = frozenset({"ordinal", "ref", "sku"})
# Attributes that change a list of products (a size alone is an answer, not a refinement).
_REFINING = ("color", "gender", "occasion", "brand", "min_price", "max_price", "price_direction")
_ANSWERS = frozenset({"size", "qty", "ordinal", "ref", "sku", "city"})

ALLOWED: dict[Intent, frozenset[str]] = {
    Intent.SEARCH: _PRODUCT,
    Intent.REFINE: _PRODUCT | {"ref"},
    Intent.SHOW_MORE: _PRODUCT,
    Intent.SHOW_DETAILS: _WHICH | {"category", "color"},
    Intent.COMPLETE_LOOK: _WHICH | {"category", "color", "occasion", "gender"},
    Intent.REJECT: _WHICH | {"category", "color", "brand"},
    Intent.CHECK_AVAILABILITY: _WHICH | {"category", "color", "size", "city", "brand", "qty"},
    Intent.STORE_LOCATOR: frozenset({"city"}),
    Intent.ADD_TO_CART: _WHICH | {"category", "color", "size", "qty", "brand"},
    Intent.CHANGE_ITEM: _WHICH | {"category", "color", "size", "qty"},
    Intent.REMOVE_ITEM: _WHICH | {"category", "color", "size", "brand"},
    Intent.APPLY_COUPON: frozenset({"coupon"}),
    Intent.OFFERS: frozenset({"category"}),
    Intent.CHECKOUT: frozenset({"payment_method", "fulfillment", "city", "use_points", "coupon"}),
    Intent.CHOOSE_PAYMENT: frozenset({"payment_method", "use_points"}),
    Intent.CHOOSE_FULFILLMENT: frozenset({"fulfillment", "city"}),
    Intent.ORDER_STATUS: frozenset({"order_id"}),
    Intent.RETURN_ITEM: _WHICH | {"order_id", "category", "color", "size"},
    Intent.CONFIRM: frozenset({"size", "qty", "ordinal"}),
    Intent.DENY: frozenset({"size", "qty", "ordinal"}),
    Intent.INFORM: _ANSWERS | {"category", "color", "brand", "price_direction"},
}
# Leftover words a refine may carry ("something light under 2k"); beyond that it is chatter.
_MAX_LEFTOVERS = 4


def decide(r: Reading) -> Intent:
    """The intent of a read message (see the module docstring for the order)."""
    return (
        _support(r)
        or _cart(r)
        or _product_questions(r)
        or _services(r)
        or _products(r)
        or _answers(r)
        or _conversation(r)
    )


def _points(r: Reading) -> bool:
    s = r.slots
    return "ordinal" in s or "sku" in s or s.get("ref") in ("it", "one")


def _support(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    if "order_id" in s:
        return Intent.RETURN_ITEM if "return" in c else Intent.ORDER_STATUS
    if "staff" in c:
        return Intent.TALK_TO_STAFF
    if "return" in c:
        return Intent.RETURN_ITEM
    # "kahan hai" asks where an order is, unless it is a shop being looked for.
    finds_a_shop = "store" in c and "order" not in c
    if "track" in c and not c & {"add", "checkout", "buy"} and not finds_a_shop:
        return Intent.ORDER_STATUS
    if "coupon" in s or ("apply" in c and not s.keys() & {"category", "use_points"}):
        return Intent.APPLY_COUPON
    return None


def _cart(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    if "remove" in c or ("reject" in c and "cart" in c):
        return Intent.REMOVE_ITEM
    chooses = s.keys() & {"payment_method", "use_points", "fulfillment"}
    if "change" in c and not (chooses and not s.keys() & {"size", "qty"}):
        if "order" in c and not s.keys() & {"size", "qty", "ordinal", "category"}:
            return Intent.ORDER_STATUS  # "any update on my order"
        return Intent.CHANGE_ITEM
    if "add" in c or ("put" in c and "cart" in c):  # "put the blue jeans in my bag"
        return Intent.ADD_TO_CART
    if "checkout" in c or ("pay" in c and not chooses):
        return Intent.CHECKOUT
    if "buy" in c:
        names_a_kind = "category" in s and not _points(r) and not r.definite
        return Intent.SEARCH if names_a_kind else Intent.ADD_TO_CART
    if "cart" in c:
        return Intent.VIEW_CART
    return None


def _product_questions(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    if "look" in c:
        return Intent.COMPLETE_LOOK
    if "available" in c:
        return Intent.CHECK_AVAILABILITY
    if "reject" in c:
        return Intent.REJECT
    if "details" in c and (_points(r) or "category" not in s):
        return Intent.SHOW_DETAILS
    return None


def _services(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    if c & {"offers", "coupon"} and not ("category" in s and c & {"show", "seek", "want"}):
        return Intent.OFFERS
    if "fulfillment" in s:
        return Intent.CHOOSE_FULFILLMENT
    if "store" in c and ("locate" in c or "city" in s or not r.leftovers):
        return Intent.STORE_LOCATOR
    if "payment_method" in s or "use_points" in s or "payhow" in c:
        return Intent.CHOOSE_PAYMENT
    if "have" in c:
        if "category" in s and not _points(r) and not r.definite:
            return Intent.SEARCH
        if _points(r) or "size" in s or r.definite:
            return Intent.CHECK_AVAILABILITY
    if "more" in c and not any(k in s for k in _REFINING):
        return Intent.SHOW_MORE
    if "help" in c and "category" not in s and not any(k in s for k in _REFINING):
        return Intent.HELP
    return None


def _products(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    points = _points(r)
    if points and c & {"show", "details"}:
        return Intent.SHOW_DETAILS
    if c & {"want", "buy"} and (points or ("category" not in s and s.keys() & {"size", "qty"})):
        return Intent.ADD_TO_CART  # "I want the blue one", "I want one in M"
    if s.get("ref") == "same":
        return Intent.REFINE
    if "category" in s:
        return Intent.INFORM if points else Intent.SEARCH
    if s.keys() & {"brand", "occasion", "gender"} and c & {"show", "seek", "want"}:
        return Intent.SEARCH
    if "sku" in s and not r.leftovers and s.keys() <= {"sku", "size", "qty"}:
        return Intent.SHOW_DETAILS  # a product code alone: show it
    if points and (s.get("ref") != "it" or "ordinal" in s or "sku" in s or not r.leftovers):
        return Intent.INFORM
    if points and r.query:
        return Intent.SHOW_DETAILS  # "is this cotton?"
    return None


def _answers(r: Reading) -> Intent | None:
    c, s = r.cues, r.slots
    refining = any(k in s for k in _REFINING)
    if "no" in c and not refining:
        return Intent.DENY
    if "yes" in c and not refining:
        return Intent.SMALL_TALK if c & {"thanks", "bye"} else Intent.CONFIRM
    if refining and (c or len(r.leftovers) <= _MAX_LEFTOVERS):
        return Intent.REFINE
    if "more" in c:
        return Intent.SHOW_MORE
    if s.keys() & _ANSWERS and not r.leftovers:
        return Intent.INFORM
    return None


def _conversation(r: Reading) -> Intent:
    c = r.cues
    if "order" in c and not r.leftovers:
        return Intent.ORDER_STATUS
    if "greet" in c:
        return Intent.GREETING
    if c & {"thanks", "bye", "chat"}:
        return Intent.SMALL_TALK
    if c & {"show", "seek", "want"} and (r.query or not r.leftovers):
        return Intent.SEARCH  # "what do you have in linen?"
    if "store" in c:
        return Intent.STORE_LOCATOR
    if "help" in c:
        return Intent.HELP
    return Intent.UNKNOWN
