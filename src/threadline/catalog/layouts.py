"""Product CSV layouts: the native one, the two real files we meet, and ``--mapping`` for others.

Native layout (header names, any order; ``sku``, ``name`` and ``price`` are required)::

    sku, name, brand, category, gender, color, sizes, price, mrp, occasion, description,
    image_url, rating, rating_count, material, subcategory

``sizes`` is ``;``-separated (``S;M;L``); ``price`` and ``mrp`` are rupees (``1299`` or
``1,299.50``).  ``category`` is a taxonomy id or a word for one ("T-shirts"); when it is
missing, the category is inferred from the name.  Missing sizes are the category's standard
run, a missing MRP is the price, a missing occasion is read from the name.  Other columns are
kept in the product's ``attributes``.

Recognised by their headers: the Myntra catalog export (``Product_ID, Product_Name, …``) and
the seed system's ``merged_products_902_rows.csv`` (sizes, colour, material and gender inside
an ``attributes`` JSON cell).  A ``--mapping`` (native column → file column) reads any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from threadline.catalog.inference import (
    OCCASION_ALIASES,
    infer_category,
    infer_occasion,
)
from threadline.catalog.taxonomy import CATEGORIES, sizes_for
from threadline.core.csvimport import LayoutError, RowError, canon, find_columns

NATIVE = (
    *("sku", "name", "brand", "category", "gender", "color", "sizes", "price", "mrp"),
    *("occasion", "description", "image_url", "rating", "rating_count", "material"),
    "subcategory",
)
ALIASES = {
    "sku": ("sku", "product_id", "id", "item_code", "style_id"),
    "name": ("name", "product_name", "productdisplayname", "title"),
    "brand": ("brand", "product_brand"),
    "color": ("color", "colour", "primary_color", "primary_colour"),
    "price": ("price", "selling_price", "sale_price"),
    "mrp": ("mrp", "msrp", "list_price"),
    "occasion": ("occasion", "usage"),
    "rating": ("rating", "ratings"),
    "rating_count": ("rating_count", "review_count", "reviews", "ratings_count"),
}
MAX_RUPEES = Decimal(10_000_000)  # one crore: far above any garment, far below int32 paise
MYNTRA = {
    "sku": "Product_ID",
    "name": "Product_Name",
    "brand": "Product_Brand",
    "gender": "Gender",
    "price": "Price",
    "description": "Description",
    "color": "Primary_Color",
}
# The seed's subcategories that name one category; the rest (Topwear, Shoes…) only a group.
SEED_SUBCATEGORY = {
    "bags": "bag",
    "wallets": "bag",
    "belts": "belt",
    "eyewear": "sunglasses",
    "jewellery": "jewellery",
    "scarves": "accessory",
    "stoles": "accessory",
    "ties": "accessory",
    "headwear": "accessory",
    "fragrance": "beauty",
    "flip_flops": "flip_flops",
    "sandal": "sandals",
    "innerwear": "innerwear",
    "dress": "dress",
}
GROUPS = {
    "topwear": ("topwear", "tshirt"),
    "bottomwear": ("bottomwear", "trousers"),
    "shoes": ("footwear", "sneakers"),
    "footwear": ("footwear", "sneakers"),
    "accessories": ("accessories", "accessory"),
    "free_gifts": ("accessories", "accessory"),
}


@dataclass(frozen=True)
class Layout:
    """How to read one kind of file: its native → file column map and a per-row hook."""

    name: str
    source: str
    mapping: dict[str, str]
    extras: list[str] = field(default_factory=list)
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def detect(headers: Sequence[str], mapping: dict[str, str] | None = None) -> Layout:
    """The layout of a file with these headers; ``mapping`` overrides the guess."""
    real = [h for h in headers if h.strip()]
    names = {canon(h) for h in real}
    if mapping is None and {"product_id", "product_name", "product_brand"} <= names:
        return _layout("myntra", "myntra", real, dict(MYNTRA))
    if mapping is None and {"productdisplayname", "attributes", "msrp"} <= names:
        found = _aliases(real)
        found.update(category="category", sizes="_sizes", color="_color", gender="_gender")
        found.update(material="_material", subcategory="subcategory")
        return _layout(
            "seed", "seed", real, found, prepare=_prepare_seed, hidden=frozenset({"attributes"})
        )
    found = _aliases(real)
    if mapping:
        missing = sorted(set(mapping.values()) - set(real))
        if missing:
            raise LayoutError(f"the mapping names column(s) the file lacks: {', '.join(missing)}")
        found.update(mapping)
    absent = [name for name in ("sku", "name", "price") if name not in found]
    if absent:
        raise LayoutError(
            f"the file has no {' or '.join(absent)} column: name it in the header or pass --mapping "
            '\'{"sku": "Your Column", …}\''
        )
    return _layout("native" if not mapping else "mapped", "csv", real, found)


def _aliases(headers: list[str]) -> dict[str, str]:
    return find_columns(headers, {target: ALIASES.get(target, (target,)) for target in NATIVE})


def _layout(
    name: str,
    source: str,
    headers: list[str],
    mapping: dict[str, str],
    *,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> Layout:
    used = set(mapping.values()) | hidden
    extras = [h for h in headers if h not in used]
    return Layout(name, source, mapping, extras, prepare)


def _prepare_seed(raw: dict[str, Any]) -> dict[str, Any]:
    """Open the seed's ``attributes`` JSON into virtual columns; check the currency."""
    currency = (raw.get("currency") or "INR").strip().upper()
    if currency != "INR":
        raise RowError(f"currency {currency!r} is not INR")
    try:
        attrs = json.loads(raw.get("attributes") or "{}")
    except ValueError:
        raise RowError("attributes is not JSON") from None
    if not isinstance(attrs, dict):
        raise RowError("attributes must be a JSON object")
    sizes = attrs.get("sizes", attrs.get("size")) or []
    if not isinstance(sizes, list):
        sizes = [sizes]
    sub = canon(raw.get("subcategory") or "")
    category = SEED_SUBCATEGORY.get(sub) or sub or (raw.get("category") or "")
    return {
        **raw,
        "category": category,
        "_sizes": ";".join(str(s) for s in sizes),
        "_color": _str(attrs.get("color")),
        "_gender": _str(attrs.get("gender")),
        "_material": _str(attrs.get("material")),
    }


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def text(value: Any, limit: int) -> str | None:
    """A cell with its whitespace collapsed, cut to ``limit``; ``None`` when empty."""
    value = " ".join(str(value or "").split())
    return value[:limit] or None


def rupees_to_paise(value: str | None, name: str) -> int | None:
    """``1299``, ``1,299.50``, ``₹ 1299`` or ``Rs. 1299`` → paise; empty → ``None``."""
    cleaned = (value or "").strip().replace(",", "").replace("₹", "").strip()
    for prefix in ("Rs.", "Rs", "INR"):
        cleaned = cleaned.removeprefix(prefix).strip()
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(f"{name} {value!r} is not an amount in rupees") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_RUPEES:
        raise RowError(f"{name} {value!r} is not an amount from 0 to {MAX_RUPEES} rupees")
    return int((amount * 100).to_integral_value())


def resolve_category(value: str | None, name: str) -> tuple[str, str | None, bool]:
    """(category id, subcategory phrase, inferred from the name?) for a row."""
    given = canon(value or "")
    if given in CATEGORIES:
        return given, None, False
    group = GROUPS.get(given)
    if given and not group:
        guess = infer_category(value or "")
        if guess:
            return guess.category, None, False
    guess = infer_category(name)
    # A name's word that contradicts the file's group ("Men United Runner" under Shoes is not
    # a table runner) loses to the group's usual category.
    if guess and (group is None or CATEGORIES[guess.category].group == group[0]):
        return guess.category, guess.phrase, True
    if group:
        return group[1], None, True
    return "other", None, True


def sizes(value: str | None, category: str, gender: str) -> tuple[list[str], bool]:
    """The row's sizes (``One Size`` is ``Free Size``), or the category's run (True)."""
    found: list[str] = []
    for part in (value or "").replace("|", ";").split(";"):
        size = " ".join(part.split())
        if not size:
            continue
        if size.lower() in {"one size", "onesize", "free size", "free"}:
            size = "Free Size"
        if len(size) > 24:
            raise RowError(f"size {size[:30]!r}… is longer than 24 characters")
        if size not in found:
            found.append(size)
    if found:
        return found, False
    return list(sizes_for(category, gender)), True


def occasion(value: str | None, name: str, category: str) -> tuple[str, bool]:
    """The file's occasion word mapped to ours, or one inferred from the name (True)."""
    given = " ".join((value or "").lower().split())
    if given in OCCASION_ALIASES:
        return OCCASION_ALIASES[given], False
    return infer_occasion(name, category), True
