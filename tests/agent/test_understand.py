"""Offline understanding: what shoppers' phrasings become, per docs/agent-commands.md.

Each case asserts the intent and *all* the slots filled (but the free ``query``), so a slot the
message does not say fails the case as surely as a missing one.  The vocabulary is the demo
catalog's, built from an in-memory search index (no database).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.agent.commands import Command, Intent
from threadline.agent.understand import Vocabulary, understand
from threadline.agent.understand.parse import read
from threadline.catalog.demo import generate_products
from threadline.catalog.models import Product
from threadline.catalog.search_index import build_index
from threadline.core.clock import clock


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    now = clock.now()
    products = [Product(**row, created_at=now, updated_at=now) for row in generate_products(1200)]
    return Vocabulary.from_index(build_index(1, products))


def said(message: str, vocab: Vocabulary) -> tuple[Intent, dict[str, Any]]:
    command = understand(message, vocab)
    assert command.source == "offline"
    slots = command.slots.filled()
    slots.pop("query", None)
    return command.intent, slots


def check(vocab: Vocabulary, message: str, intent: Intent, slots: dict[str, Any]) -> None:
    assert said(message, vocab) == (intent, slots), message


S = Intent.SEARCH
R = Intent.REFINE

PRODUCTS = [
    ("show me blue shirts under 2k", S, {"category": "shirt", "color": "blue", "max_price": 2000}),
    ("kurta dikhao", S, {"category": "kurta"}),
    ("shoes for a wedding", S, {"category": "footwear", "occasion": "festive"}),
    ("something for office", S, {"occasion": "formal"}),
    ("I need a tee", S, {"category": "tshirt"}),
    ("t-shirts for men", S, {"category": "tshirt", "gender": "men"}),
    ("chinos", S, {"category": "trousers"}),
    ("do you have kurtis", S, {"category": "kurta"}),
    ("trainers", S, {"category": "sneakers"}),
    ("joota dikhao", S, {"category": "footwear"}),
    ("sari for my mom", S, {"category": "saree", "gender": "women"}),
    ("lehenga for sangeet", S, {"category": "ethnic_set", "occasion": "festive"}),
    ("ethnic wear", S, {"category": "ethnic"}),
    ("accessories for men", S, {"category": "accessories", "gender": "men"}),
    ("denim jacket", S, {"category": "jacket"}),
    ("running shoes", S, {"category": "sneakers"}),
    ("I want to buy shoes", S, {"category": "footwear"}),
    ("now show me jeans", S, {"category": "jeans"}),
    ("no, show me kurtas", S, {"category": "kurta"}),
    ("need a gift for my wife", S, {"gender": "women"}),
    ("show me something by Nila Weaves", S, {"brand": "Nila Weaves"}),
    ("shades of blue", R, {"color": "blue"}),
]
COLOURS = [
    ("navy blue chinos", S, {"category": "trousers", "color": "navy blue"}),
    ("sky blue shirt", S, {"category": "shirt", "color": "sky blue"}),
    ("off white kurta", S, {"category": "kurta", "color": "off white"}),
    ("off-white kurta", S, {"category": "kurta", "color": "off white"}),
    ("sea green saree", S, {"category": "saree", "color": "sea green"}),
    ("lal saree", S, {"category": "saree", "color": "red"}),
    ("neela kurta", S, {"category": "kurta", "color": "blue"}),
    ("kala joota", S, {"category": "footwear", "color": "black"}),
    ("safed shirt", S, {"category": "shirt", "color": "white"}),
    ("hara dupatta", S, {"category": "accessory", "color": "green"}),
    ("peela dress", S, {"category": "dress", "color": "yellow"}),
    ("gulabi top", S, {"category": "top", "color": "pink"}),
    ("grey melange sweatshirt", S, {"category": "sweater", "color": "grey"}),
    ("in black", R, {"color": "black"}),
    ("rose gold watch", S, {"category": "watch", "color": "rose gold"}),
]
SIZES = [
    ("M", Intent.INFORM, {"size": "M"}),
    ("size M", Intent.INFORM, {"size": "M"}),
    ("size m please", Intent.INFORM, {"size": "M"}),
    ("medium", Intent.INFORM, {"size": "M"}),
    ("extra large", Intent.INFORM, {"size": "XL"}),
    ("XXL", Intent.INFORM, {"size": "XXL"}),
    ("size 32", Intent.INFORM, {"size": "32"}),
    ("32 waist", Intent.INFORM, {"size": "32"}),
    ("waist 34", Intent.INFORM, {"size": "34"}),
    ("32", Intent.INFORM, {"size": "32"}),
    ("UK 9", Intent.INFORM, {"size": "UK 9"}),
    ("uk9", Intent.INFORM, {"size": "UK 9"}),
    ("size 9 shoes", S, {"category": "footwear", "size": "UK 9"}),
    ("sneakers in 8", S, {"category": "sneakers", "size": "UK 8"}),
    ("free size", Intent.INFORM, {"size": "Free Size"}),
    ("jeans in 30", S, {"category": "jeans", "size": "30"}),
    ("tshirt size l", S, {"category": "tshirt", "size": "L"}),
    ("M size shirt", S, {"category": "shirt", "size": "M"}),
    (
        "kurta for my 5 year old daughter",
        S,
        {"category": "kurta", "gender": "girls", "size": "4-5Y"},
    ),
    ("I'm looking for a shirt", S, {"category": "shirt"}),
    ("i m looking for shirts", S, {"category": "shirt"}),
]
PEOPLE_AND_OCCASIONS = [
    ("for my wife", R, {"gender": "women"}),
    ("men's", R, {"gender": "men"}),
    ("ladies kurta", S, {"category": "kurta", "gender": "women"}),
    ("for my son", R, {"gender": "boys"}),
    ("for my daughter", R, {"gender": "girls"}),
    ("gents", R, {"gender": "men"}),
    ("for women", R, {"gender": "women"}),
    ("something for my husband", S, {"gender": "men"}),
    ("dress for a party", S, {"category": "dress", "occasion": "party"}),
    ("kurta for diwali", S, {"category": "kurta", "occasion": "festive"}),
    ("shirt for an interview", S, {"category": "shirt", "occasion": "formal"}),
    ("gym", R, {"occasion": "sports"}),
    ("track pants for yoga", S, {"category": "track_pants", "occasion": "sports"}),
    ("tshirts for college", S, {"category": "tshirt", "occasion": "casual"}),
    ("hey man", Intent.GREETING, {}),
]
PRICES = [
    ("under 2k", R, {"max_price": 2000}),
    ("below ₹1500", R, {"max_price": 1500}),
    ("less than rs. 999", R, {"max_price": 999}),
    ("between 1000 and 2000", R, {"min_price": 1000, "max_price": 2000}),
    ("1000-2000", R, {"min_price": 1000, "max_price": 2000}),
    ("1-2k", R, {"min_price": 1000, "max_price": 2000}),
    ("above 3000", R, {"min_price": 3000}),
    ("1500 se kam", R, {"max_price": 1500}),
    ("2000 tak", R, {"max_price": 2000}),
    ("3000 se upar", R, {"min_price": 3000}),
    ("around 1500", R, {"min_price": 1200, "max_price": 1800}),
    ("within 2,500", R, {"max_price": 2500}),
    ("my budget is 3000", R, {"max_price": 3000}),
    ("jeans for ₹1999", S, {"category": "jeans", "max_price": 1999}),
    ("shirts under 1.5k", S, {"category": "shirt", "max_price": 1500}),
    ("cheaper ones", R, {"price_direction": "lower"}),
    ("sasta wala", R, {"price_direction": "lower"}),
    ("something premium", R, {"price_direction": "higher"}),
    ("budget shirts", S, {"category": "shirt", "price_direction": "lower"}),
    ("tshirts under 50", S, {"category": "tshirt"}),
]
BRANDS = [
    ("only Metro Loom", R, {"brand": "Metro Loom"}),
    ("metro loom jeans", S, {"category": "jeans", "brand": "Metro Loom"}),
    ("URBANE THREADS shirts", S, {"category": "shirt", "brand": "Urbane Threads"}),
    ("Banyan & Co. tees", S, {"category": "tshirt", "brand": "Banyan & Co."}),
    ("banyan and co jeans", S, {"category": "jeans", "brand": "Banyan & Co."}),
    ("coastline denim jeans", S, {"category": "jeans", "brand": "Coastline Denim Co."}),
    ("metro loon jeans", S, {"category": "jeans", "brand": "Metro Loom"}),
    ("urbane thread shirts", S, {"category": "shirt", "brand": "Urbane Threads"}),
    ("stridewel sneakers", S, {"category": "sneakers", "brand": "Stridewell"}),
]
POINTERS = [
    ("the second one", Intent.INFORM, {"ordinal": 2}),
    ("2nd", Intent.INFORM, {"ordinal": 2}),
    ("number 3", Intent.INFORM, {"ordinal": 3}),
    ("option 4", Intent.INFORM, {"ordinal": 4}),
    ("the last one", Intent.INFORM, {"ordinal": -1}),
    ("doosra wala", Intent.INFORM, {"ordinal": 2}),
    ("that shirt", Intent.INFORM, {"category": "shirt", "ref": "it"}),
    ("it", Intent.INFORM, {"ref": "it"}),
    ("the blue one", Intent.INFORM, {"color": "blue", "ref": "one"}),
    ("the cheaper one", Intent.INFORM, {"price_direction": "lower", "ref": "one"}),
    ("same in black", R, {"color": "black", "ref": "same"}),
    ("show more", Intent.SHOW_MORE, {}),
    ("more options", Intent.SHOW_MORE, {}),
    ("aur dikhao", Intent.SHOW_MORE, {}),
    ("next", Intent.SHOW_MORE, {}),
    ("tell me about the second one", Intent.SHOW_DETAILS, {"ordinal": 2}),
    ("show me the 3rd one", Intent.SHOW_DETAILS, {"ordinal": 3}),
    ("details of that shirt", Intent.SHOW_DETAILS, {"category": "shirt", "ref": "it"}),
    ("what fabric is it", Intent.SHOW_DETAILS, {"ref": "it"}),
    ("how much is the first one", Intent.SHOW_DETAILS, {"ordinal": 1}),
    ("what goes with this", Intent.COMPLETE_LOOK, {"ref": "it"}),
    ("complete the look", Intent.COMPLETE_LOOK, {}),
    ("what should I wear with it", Intent.COMPLETE_LOOK, {"ref": "it"}),
    ("which shoes go with this shirt", Intent.COMPLETE_LOOK, {"category": "footwear", "ref": "it"}),
    ("I don't like the second one", Intent.REJECT, {"ordinal": 2}),
    ("not that one", Intent.REJECT, {"ref": "it"}),
    ("not the blue one", Intent.REJECT, {"color": "blue", "ref": "one"}),
    ("return my last order", Intent.RETURN_ITEM, {}),
    ("wait a second", Intent.DENY, {}),
    ("first time here", Intent.UNKNOWN, {}),
]
STOCK_AND_STORES = [
    ("is it available in M", Intent.CHECK_AVAILABILITY, {"ref": "it", "size": "M"}),
    ("do you have the first one in XL", Intent.CHECK_AVAILABILITY, {"ordinal": 1, "size": "XL"}),
    ("in stock at Pune?", Intent.CHECK_AVAILABILITY, {"city": "Pune"}),
    ("can I get this in size L?", Intent.CHECK_AVAILABILITY, {"ref": "it", "size": "L"}),
    ("where is your store in Delhi", Intent.STORE_LOCATOR, {"city": "Delhi"}),
    ("stores near me", Intent.STORE_LOCATOR, {}),
    ("store timings", Intent.STORE_LOCATOR, {}),
    ("is there a shop in bengaluru", Intent.STORE_LOCATOR, {"city": "Bangalore"}),
    ("bombay", Intent.INFORM, {"city": "Mumbai"}),
    ("what's the weather in Mumbai", Intent.UNKNOWN, {}),
]
CART = [
    ("add the second one", Intent.ADD_TO_CART, {"ordinal": 2}),
    ("I'll take it in M", Intent.ADD_TO_CART, {"ref": "it", "size": "M"}),
    ("buy the first one", Intent.ADD_TO_CART, {"ordinal": 1}),
    ("cart mein daal do", Intent.ADD_TO_CART, {}),
    ("add the jeans", Intent.ADD_TO_CART, {"category": "jeans"}),
    ("add 2 of those", Intent.ADD_TO_CART, {"qty": 2}),
    (
        "add two blue shirts to my cart",
        Intent.ADD_TO_CART,
        {"qty": 2, "color": "blue", "category": "shirt"},
    ),  # fmt: skip
    ("I want the blue one", Intent.ADD_TO_CART, {"color": "blue", "ref": "one"}),
    ("I'll go with the second one", Intent.ADD_TO_CART, {"ordinal": 2}),
    ("add TL00012 in L", Intent.ADD_TO_CART, {"sku": "TL00012", "size": "L"}),
    ("make it 2", Intent.CHANGE_ITEM, {"qty": 2}),
    ("make it three", Intent.CHANGE_ITEM, {"qty": 3}),
    ("change the size to L", Intent.CHANGE_ITEM, {"size": "L"}),
    ("I want 3 of the jeans", Intent.CHANGE_ITEM, {"qty": 3, "category": "jeans"}),
    ("remove the jeans", Intent.REMOVE_ITEM, {"category": "jeans"}),
    ("delete it from cart", Intent.REMOVE_ITEM, {"ref": "it"}),
    ("hata do", Intent.REMOVE_ITEM, {}),
    ("show my cart", Intent.VIEW_CART, {}),
    ("what's in my bag", Intent.VIEW_CART, {}),
    ("cart total", Intent.VIEW_CART, {}),
    ("2", Intent.INFORM, {"qty": 2}),
    ("two", Intent.INFORM, {"qty": 2}),
    ("2 of those", Intent.INFORM, {"qty": 2}),
    ("one", Intent.INFORM, {"qty": 1}),
]
CHECKOUT = [
    ("apply coupon welcome10", Intent.APPLY_COUPON, {"coupon": "WELCOME10"}),
    ("use code FEST20", Intent.APPLY_COUPON, {"coupon": "FEST20"}),
    ("WELCOME10", Intent.APPLY_COUPON, {"coupon": "WELCOME10"}),
    ("apply FESTIVE", Intent.APPLY_COUPON, {"coupon": "FESTIVE"}),
    ("any offers?", Intent.OFFERS, {}),
    ("discounts?", Intent.OFFERS, {}),
    ("do you have a coupon code for me", Intent.OFFERS, {}),
    ("how many points do I have", Intent.OFFERS, {}),
    ("what's my tier", Intent.OFFERS, {}),
    ("checkout", Intent.CHECKOUT, {}),
    ("place the order", Intent.CHECKOUT, {}),
    ("I want to pay", Intent.CHECKOUT, {}),
    ("buy now", Intent.CHECKOUT, {}),
    ("checkout with UPI", Intent.CHECKOUT, {"payment_method": "upi"}),
    ("checkout and use my points", Intent.CHECKOUT, {"use_points": True}),
    ("UPI", Intent.CHOOSE_PAYMENT, {"payment_method": "upi"}),
    ("gpay", Intent.CHOOSE_PAYMENT, {"payment_method": "upi"}),
    ("pay via phonepe", Intent.CHOOSE_PAYMENT, {"payment_method": "upi"}),
    ("paytm", Intent.CHOOSE_PAYMENT, {"payment_method": "upi"}),
    ("pay by card", Intent.CHOOSE_PAYMENT, {"payment_method": "card"}),
    ("debit card", Intent.CHOOSE_PAYMENT, {"payment_method": "card"}),
    ("cash on delivery", Intent.CHOOSE_PAYMENT, {"payment_method": "cod"}),
    ("wallet", Intent.CHOOSE_PAYMENT, {"payment_method": "wallet"}),
    ("use my points", Intent.CHOOSE_PAYMENT, {"use_points": True}),
    ("brown leather wallet", S, {"category": "bag", "color": "brown"}),
    ("home delivery", Intent.CHOOSE_FULFILLMENT, {"fulfillment": "delivery"}),
    ("ship it to my home", Intent.CHOOSE_FULFILLMENT, {"fulfillment": "delivery"}),
    ("I'll pick it up in store", Intent.CHOOSE_FULFILLMENT, {"fulfillment": "pickup"}),
    (
        "collect from the delhi store",
        Intent.CHOOSE_FULFILLMENT,
        {"fulfillment": "pickup", "city": "Delhi"},
    ),  # fmt: skip
    (
        "reserve it at the Mumbai store",
        Intent.CHOOSE_FULFILLMENT,
        {"fulfillment": "reserve_in_store", "city": "Mumbai"},
    ),  # fmt: skip
]
SUPPORT = [
    ("where is my order", Intent.ORDER_STATUS, {}),
    ("order status", Intent.ORDER_STATUS, {}),
    ("mera order kahan hai", Intent.ORDER_STATUS, {}),
    ("track TL-ABCDEFGH23", Intent.ORDER_STATUS, {"order_id": "TL-ABCDEFGH23"}),
    ("tl-abcdefgh23", Intent.ORDER_STATUS, {"order_id": "TL-ABCDEFGH23"}),
    ("when will my order arrive", Intent.ORDER_STATUS, {}),
    ("I want to return the shirt", Intent.RETURN_ITEM, {"category": "shirt"}),
    ("exchange it for L", Intent.RETURN_ITEM, {"ref": "it", "size": "L"}),
    ("return TL-ABCDEFGH23", Intent.RETURN_ITEM, {"order_id": "TL-ABCDEFGH23"}),
    ("talk to a human", Intent.TALK_TO_STAFF, {}),
    ("call a staff member", Intent.TALK_TO_STAFF, {}),
    ("I need a salesperson", Intent.TALK_TO_STAFF, {}),
    ("TL00012", Intent.SHOW_DETAILS, {"sku": "TL00012"}),
    ("tell me about tl00012", Intent.SHOW_DETAILS, {"sku": "TL00012"}),
]
CONVERSATION = [
    ("hi", Intent.GREETING, {}),
    ("hello there", Intent.GREETING, {}),
    ("namaste", Intent.GREETING, {}),
    ("good morning", Intent.GREETING, {}),
    ("help", Intent.HELP, {}),
    ("what can you do", Intent.HELP, {}),
    ("how does this work", Intent.HELP, {}),
    ("thanks", Intent.SMALL_TALK, {}),
    ("ok thanks", Intent.SMALL_TALK, {}),
    ("bye", Intent.SMALL_TALK, {}),
    ("how are you", Intent.SMALL_TALK, {}),
    ("you are great", Intent.SMALL_TALK, {}),
    ("I'm fine", Intent.SMALL_TALK, {}),
    ("what's the weather", Intent.UNKNOWN, {}),
    ("asdfgh", Intent.UNKNOWN, {}),
    ("yes", Intent.CONFIRM, {}),
    ("ok", Intent.CONFIRM, {}),
    ("sure", Intent.CONFIRM, {}),
    ("haan", Intent.CONFIRM, {}),
    ("go ahead", Intent.CONFIRM, {}),
    ("place it", Intent.CONFIRM, {}),
    ("yes add it", Intent.ADD_TO_CART, {"ref": "it"}),
    ("no", Intent.DENY, {}),
    ("nahi", Intent.DENY, {}),
    ("cancel", Intent.DENY, {}),
    ("not now", Intent.DENY, {}),
    ("no thanks", Intent.DENY, {}),
    ("nahi chahiye", Intent.DENY, {}),
]
HINGLISH = [
    ("isko cart mein daal do", Intent.ADD_TO_CART, {"ref": "it"}),
    ("ye wala size M mein", Intent.INFORM, {"ref": "it", "size": "M"}),
    ("2000 ke andar joote", S, {"category": "footwear", "max_price": 2000}),
    ("shaadi ke liye lehenga", S, {"category": "ethnic_set", "occasion": "festive"}),
    ("mujhe ek kurta chahiye", S, {"category": "kurta"}),
    ("kuch sasta dikhao", R, {"price_direction": "lower"}),
    ("nahi, koi aur dikhao", Intent.SHOW_MORE, {}),
    ("order kab aayega", Intent.ORDER_STATUS, {}),
    ("cash on delivery chalega?", Intent.CHOOSE_PAYMENT, {"payment_method": "cod"}),
    ("theek hai", Intent.CONFIRM, {}),
]
# Words that look like something else in another sentence.
LOOKALIKES = [
    ("my last order", Intent.ORDER_STATUS, {}),
    ("hold on", Intent.DENY, {}),
    ("what's in my cart", Intent.VIEW_CART, {}),
    ("what's my total", Intent.VIEW_CART, {}),
    ("this week's offers", Intent.OFFERS, {}),
    ("it's too expensive", R, {"price_direction": "lower"}),
    ("see you later", Intent.SMALL_TALK, {}),
    ("what sizes do you have", Intent.CHECK_AVAILABILITY, {}),
    ("what are the payment options", Intent.CHOOSE_PAYMENT, {}),
    ("is there free delivery", Intent.CHOOSE_FULFILLMENT, {"fulfillment": "delivery"}),
    ("shirts for 1000", S, {"category": "shirt", "max_price": 1000}),
    ("1500", Intent.UNKNOWN, {}),
    ("15", Intent.UNKNOWN, {}),
    ("the second last one", Intent.INFORM, {"ordinal": -2}),
]
TYPOS = [
    ("jeens", S, {"category": "jeans"}),
    ("kurtha for men", S, {"category": "kurta", "gender": "men"}),
    ("snekers", S, {"category": "sneakers"}),
    ("shrit in bleu", S, {"category": "shirt", "color": "blue"}),
    ("trowsers", S, {"category": "trousers"}),
    ("chekout", Intent.CHECKOUT, {}),
    ("remvoe the jeans", Intent.REMOVE_ITEM, {"category": "jeans"}),
    ("is it avaialble in M", Intent.CHECK_AVAILABILITY, {"ref": "it", "size": "M"}),
    ("stores in banglore", Intent.STORE_LOCATOR, {"city": "Bangalore"}),
    # Correct words one letter from a product word stay as they are.
    ("tell me more", Intent.SHOW_DETAILS, {}),
    ("good evening", Intent.GREETING, {}),
    ("show me", Intent.SEARCH, {}),
]


@pytest.mark.parametrize(
    ("message", "intent", "slots"),
    [
        *PRODUCTS,
        *COLOURS,
        *SIZES,
        *PEOPLE_AND_OCCASIONS,
        *PRICES,
        *BRANDS,
        *POINTERS,
        *STOCK_AND_STORES,
        *CART,
        *CHECKOUT,
        *SUPPORT,
        *CONVERSATION,
        *HINGLISH,
        *LOOKALIKES,
        *TYPOS,
    ],
)
def test_message_becomes_command(
    vocab: Vocabulary, message: str, intent: Intent, slots: dict[str, Any]
) -> None:
    check(vocab, message, intent, slots)


def test_descriptive_words_become_the_query(vocab: Vocabulary) -> None:
    command = understand("show me linen shirts with a mandarin collar", vocab)
    assert command.intent == Intent.SEARCH
    assert command.slots.query == "linen mandarin collar"


def test_query_keeps_only_words_the_catalog_knows(vocab: Vocabulary) -> None:
    assert understand("shirts that my cat would approve of", vocab).slots.query is None


def test_default_vocabulary_knows_the_taxonomy_and_store_cities_but_no_brands() -> None:
    vocab = Vocabulary.default()
    check(vocab, "navy blue kurta in Hyderabad", S, {"category": "kurta", "color": "navy blue"})
    check(vocab, "stores in kolkata", Intent.STORE_LOCATOR, {"city": "Kolkata"})
    assert said("metro loom jeans", vocab) == (S, {"category": "jeans"})


def test_vocabulary_from_products_reads_brands_colours_and_skus() -> None:
    vocab = Vocabulary.from_products(
        [("Roadster", "Grey Melange", "tshirt", "10017413"), ("ONLY", "Black", "dress", "SH-2")],
        cities=["Jaipur", "New Delhi"],
    )
    check(vocab, "roadster grey melange tees", S, {"brand": "Roadster", "category": "tshirt", "color": "grey melange"})  # fmt: skip
    check(vocab, "10017413", Intent.SHOW_DETAILS, {"sku": "10017413"})
    check(vocab, "stores in jaipur", Intent.STORE_LOCATOR, {"city": "Jaipur"})
    check(vocab, "new delhi", Intent.INFORM, {"city": "Delhi"})
    # A brand spelt like an ordinary word needs "by" or "brand" next to it.
    check(vocab, "only dresses", S, {"category": "dress"})
    check(vocab, "dresses by only", S, {"category": "dress", "brand": "ONLY"})


@pytest.mark.parametrize(
    "message",
    ["", " ", "\x00\x00", "'; DROP TABLE products; --", "😀" * 500, "ñ" * 2000, "₹" * 2000,
     "9" * 2000, "size " * 400, "TL-" * 600, "under " * 300 + "2k", "नमस्ते कुर्ता दिखाओ"],
)  # fmt: skip
def test_odd_input_is_unknown_or_harmless(vocab: Vocabulary, message: str) -> None:
    command = read(message, vocab)
    assert isinstance(command, Command)


@settings(max_examples=150, deadline=None)
@given(text=st.text(min_size=1, max_size=2000))
def test_any_text_becomes_a_valid_command(vocab: Vocabulary, text: str) -> None:
    command = read(text, vocab)  # no safety net: an exception fails the test
    Command.model_validate(command.model_dump())


SHOPPING_WORDS = """show me blue shirts under 2k the second one add it to cart size M 32 waist
    uk 9 kurta dikhao sasta wala TL00012 TL-ABCDEFGH23 coupon WELCOME10 between 1000 and for my
    wife wedding Metro Loom make it 3 remove jeens bleu ₹ - , . 99 0 one"""


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(SHOPPING_WORDS.split()),
        min_size=1,
        max_size=300,
    )
)
def test_any_mix_of_shopping_words_becomes_a_valid_command(
    vocab: Vocabulary, words: list[str]
) -> None:
    command = read(" ".join(words)[:2000], vocab)
    Command.model_validate(command.model_dump())
