"""The catalog's vocabulary: categories, their size runs, genders, occasions and what goes with what.

One place for these words, so the demo generator, the importers, search and the sales agent
agree on them.  Categories are stable ids (``tshirt``, ``formal_shoes``); labels are for people.
"""

from __future__ import annotations

from dataclasses import dataclass

APPAREL_SIZES = ("S", "M", "L", "XL", "XXL")
WAIST_SIZES = ("28", "30", "32", "34", "36", "38", "40")
SHOE_SIZES = ("UK 6", "UK 7", "UK 8", "UK 9", "UK 10", "UK 11")
KIDS_SIZES = ("2-3Y", "4-5Y", "6-7Y", "8-9Y", "10-11Y", "12-13Y")
KIDS_SHOE_SIZES = ("UK 10C", "UK 11C", "UK 12C", "UK 13C", "UK 1", "UK 2")
FREE_SIZE = ("Free Size",)

GENDERS = ("men", "women", "boys", "girls", "unisex", "kids")
KIDS_GENDERS = frozenset({"boys", "girls", "kids"})
OCCASIONS = ("casual", "formal", "party", "festive", "sports")


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    # topwear, bottomwear, ethnic, footwear, accessories, other
    group: str
    # "apparel", "waist", "shoe" or "free": which size run the category sells in
    sizing: str


CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("shirt", "Shirts", "topwear", "apparel"),
        Category("tshirt", "T-shirts", "topwear", "apparel"),
        Category("top", "Tops", "topwear", "apparel"),
        Category("sweater", "Sweaters & sweatshirts", "topwear", "apparel"),
        Category("jacket", "Jackets & blazers", "topwear", "apparel"),
        Category("dress", "Dresses", "topwear", "apparel"),
        Category("jeans", "Jeans", "bottomwear", "waist"),
        Category("trousers", "Trousers & chinos", "bottomwear", "waist"),
        Category("shorts", "Shorts & skirts", "bottomwear", "waist"),
        Category("track_pants", "Track pants & joggers", "bottomwear", "apparel"),
        Category("kurta", "Kurtas & kurtis", "ethnic", "apparel"),
        Category("saree", "Sarees", "ethnic", "free"),
        Category("ethnic_set", "Ethnic sets, lehengas & sherwanis", "ethnic", "apparel"),
        Category("sneakers", "Sneakers & sports shoes", "footwear", "shoe"),
        Category("formal_shoes", "Formal shoes", "footwear", "shoe"),
        Category("sandals", "Sandals, flats & heels", "footwear", "shoe"),
        Category("flip_flops", "Flip-flops & sliders", "footwear", "shoe"),
        Category("belt", "Belts", "accessories", "waist"),
        Category("watch", "Watches", "accessories", "free"),
        Category("bag", "Bags, backpacks & wallets", "accessories", "free"),
        Category("sunglasses", "Sunglasses", "accessories", "free"),
        Category("jewellery", "Jewellery", "accessories", "free"),
        Category("accessory", "Caps, scarves, socks & other accessories", "accessories", "free"),
        Category("innerwear", "Innerwear & sleepwear", "other", "apparel"),
        Category("beauty", "Beauty & personal care", "other", "free"),
        Category("home", "Home furnishing", "other", "free"),
        Category("other", "Other", "other", "free"),
    )
}

# "Complete the look": what a stylist would put next to an item of this category.
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    "jeans": ("shirt", "tshirt", "belt", "sneakers"),
    "trousers": ("shirt", "belt", "formal_shoes", "watch"),
    "shorts": ("tshirt", "sneakers", "flip_flops", "sunglasses"),
    "track_pants": ("tshirt", "sneakers", "bag"),
    "shirt": ("trousers", "jeans", "belt", "formal_shoes"),
    "tshirt": ("jeans", "shorts", "sneakers", "sunglasses"),
    "top": ("jeans", "shorts", "sandals", "jewellery"),
    "sweater": ("jeans", "trousers", "sneakers"),
    "jacket": ("shirt", "tshirt", "jeans", "sneakers"),
    "dress": ("sandals", "bag", "jewellery", "sunglasses"),
    "kurta": ("ethnic_set", "sandals", "jewellery", "accessory"),
    "saree": ("jewellery", "sandals", "bag"),
    "ethnic_set": ("jewellery", "sandals", "accessory"),
    "sneakers": ("tshirt", "jeans", "track_pants", "accessory"),
    "formal_shoes": ("shirt", "trousers", "belt", "watch"),
    "sandals": ("dress", "kurta", "top", "bag"),
    "flip_flops": ("shorts", "tshirt", "sunglasses"),
    "belt": ("jeans", "trousers", "formal_shoes"),
    "watch": ("shirt", "belt", "formal_shoes"),
    "bag": ("dress", "top", "sunglasses"),
    "sunglasses": ("tshirt", "shorts", "dress"),
    "jewellery": ("saree", "kurta", "dress"),
}


def sizes_for(category: str, gender: str) -> tuple[str, ...]:
    """The size run a product of this category and gender is sold in."""
    sizing = CATEGORIES.get(category, CATEGORIES["other"]).sizing
    kids = gender in KIDS_GENDERS
    if sizing == "shoe":
        return KIDS_SHOE_SIZES if kids else SHOE_SIZES
    if sizing == "waist":
        if category == "belt":
            return WAIST_SIZES[1:6]
        return KIDS_SIZES if kids else WAIST_SIZES
    if sizing == "apparel":
        return KIDS_SIZES if kids else APPAREL_SIZES
    return FREE_SIZE


def normalize_gender(value: str | None) -> str:
    """Men/Male/M, Women/Female/F, Boys, Girls, Unisex Kids … → one of ``GENDERS``."""
    text = (value or "").strip().lower()
    if text in {"men", "man", "male", "m", "mens", "men's", "gents"}:
        return "men"
    if text in {"women", "woman", "female", "f", "womens", "women's", "ladies"}:
        return "women"
    if text in {"boys", "boy"}:
        return "boys"
    if text in {"girls", "girl"}:
        return "girls"
    if text in {"unisex kids", "kids", "kid", "children", "child"}:
        return "kids"
    return "unisex"
