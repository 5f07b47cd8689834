"""Import products from CSV, idempotently by ``sku``: ``threadline import products FILE``.

The layouts it reads (native, the Myntra export, the seed system's file, ``--mapping``) are
described in ``catalog.layouts``.  What the file does not say — a category, sizes, an MRP, an
occasion — is inferred, and the report says how often and what it chose.  A row that cannot
be used is rejected with its line number and reason and never stops the rest; a row equal to
the stored product is left alone, so importing a file twice changes nothing the second time.
The catalog version is bumped once, at the end, if anything changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from threadline.catalog import layouts
from threadline.catalog.inference import infer_material
from threadline.catalog.layouts import Layout
from threadline.catalog.models import Product
from threadline.catalog.service import bump_version
from threadline.catalog.taxonomy import normalize_gender
from threadline.core.clock import clock
from threadline.core.csvimport import (
    BATCH,
    ImportReport,
    LayoutError,
    Lined,
    Row,
    RowError,
    Target,
    canon,
    checked_rows,
    read_header,
    write_batch,
)

log = structlog.get_logger()

__all__ = ["ImportReport", "LayoutError", "import_products", "parse_row"]

_TABLE = Product.__table__
TARGET = Target(
    _TABLE,
    key=("sku",),
    compared=tuple(
        c.name for c in _TABLE.columns if c.name not in {"sku", "created_at", "updated_at"}
    ),
    insert_only=("created_at",),
)
LAYOUT_NOTES = {
    "myntra": "recognised the Myntra catalog export: sku is Product_ID; the file has no "
    "category, sizes or MRP",
    "seed": "recognised the seed system's products file: sizes, colour, material and gender "
    "come from its attributes JSON",
    "native": "read as the native layout",
    "mapped": "read with the given column mapping",
}


async def import_products(
    db: AsyncSession,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    source: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the file's products; raises ``LayoutError`` if the file cannot be read at all."""
    layout = layouts.detect(read_header(path), mapping)
    label = (source or layout.source).strip()[:20] or layout.source
    report = ImportReport(notes=[LAYOUT_NOTES[layout.name]])
    if layout.extras:
        report.notes.append("kept as product attributes: " + ", ".join(layout.extras))
    flags: Counter[str] = Counter()
    seen: dict[str, int] = {}
    batch: list[Lined] = []
    for line, raw in checked_rows(path, report, on_progress):
        try:
            row, row_flags = parse_row(raw, layout, source=label)
            if row["sku"] in seen:
                earlier = seen[row["sku"]]
                raise RowError(f"sku {row['sku']} appears earlier in the file (line {earlier})")
        except RowError as exc:
            report.rejected.append((line, str(exc)))
            continue
        seen[row["sku"]] = line
        flags.update(row_flags)
        batch.append((line, row))
        if len(batch) >= BATCH:
            await write_batch(db, TARGET, batch, report)
            batch = []
    if batch:
        await write_batch(db, TARGET, batch, report)
    if report.inserted or report.updated:
        await bump_version(db)
    report.notes.extend(_flag_notes(flags))
    report.rejected.sort()
    log.info(
        "catalog.products_imported",
        layout=layout.name,
        read=report.read,
        inserted=report.inserted,
        updated=report.updated,
        rejected=len(report.rejected),
    )
    return report


def parse_row(raw: dict[str, Any], layout: Layout, *, source: str) -> tuple[Row, list[str]]:
    """One file row → product columns, and flags naming what was inferred rather than read."""
    if layout.prepare:
        raw = layout.prepare(raw)

    def get(name: str) -> str | None:
        column = layout.mapping.get(name)
        return raw.get(column) if column else None

    sku, name, price, mrp = _required(get)
    gender = normalize_gender(get("gender"))
    category, phrase, guessed = layouts.resolve_category(get("category"), name)
    sizes, default_sizes = layouts.sizes(get("sizes"), category, gender)
    occasion, occasion_guessed = layouts.occasion(get("occasion"), name, category)
    description = (get("description") or "").strip()
    attributes = {canon(h): raw[h].strip() for h in layout.extras if (raw.get(h) or "").strip()}
    image_url = _image_url(get("image_url"), attributes)
    color = layouts.text(get("color"), 40)
    now = clock.now()
    flags = [
        flag
        for flag, on in (
            (f"category:{category}", guessed),
            ("sizes", default_sizes),
            ("mrp", mrp is None),
            ("occasion", occasion_guessed),
            ("no_color", not color),
            ("image", "original_image_url" in attributes),
        )
        if on
    ]
    return {
        "sku": sku,
        "name": name,
        "brand": layouts.text(get("brand"), 120) or "Unbranded",
        "category": category,
        "subcategory": layouts.text(get("subcategory"), 80) or phrase,
        "gender": gender,
        "color": color,
        "sizes": sizes,
        "price_paise": price,
        "mrp_paise": price if mrp is None else mrp,
        "occasion": occasion,
        "description": description,
        "image_url": image_url,
        "rating": _rating(get("rating")),
        "rating_count": _count(get("rating_count")),
        "material": layouts.text(get("material"), 60) or infer_material(name, description),
        "attributes": attributes,
        "source": source,
        "is_active": True,
        "created_at": now,
        "updated_at": now,
    }, flags


def _required(get: Callable[[str], str | None]) -> tuple[str, str, int, int | None]:
    """sku, name, price and MRP (paise), or the reason the row cannot be a product."""
    sku = (get("sku") or "").strip()
    if not sku:
        raise RowError("sku is empty")
    if len(sku) > 64:
        raise RowError("sku is longer than 64 characters")
    name = layouts.text(get("name"), 300)
    if not name:
        raise RowError("name is empty")
    price = layouts.rupees_to_paise(get("price"), "price")
    if price is None:
        raise RowError("price is empty")
    mrp = layouts.rupees_to_paise(get("mrp"), "mrp")
    if mrp is not None and mrp < price:
        # Selling above MRP is unlawful in India: one of the two is wrong, and we cannot tell which.
        raise RowError(f"mrp {get('mrp')} is below price {get('price')}")
    return sku, name, price, mrp


def _image_url(value: str | None, attributes: dict[str, Any]) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    if url.startswith(("https://", "http://")) and len(url) <= 500:
        return url
    # A path inside someone else's repository ("reebok_images/item_0.jpg") shows nothing here;
    # the generated picture stands in and the original is kept for whoever has the files.
    attributes["original_image_url"] = url
    return None


def _rating(value: str | None) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        rating = float(text)
    except ValueError:
        raise RowError(f"rating {text!r} is not a number") from None
    if not 0 <= rating <= 5:
        raise RowError(f"rating {text!r} is not from 0 to 5")
    return round(rating, 2)


def _count(value: str | None) -> int:
    text = (value or "").strip().replace(",", "")
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"rating_count {text!r} is not a number") from None
    if not 0 <= number <= 10**9 or number != int(number):
        raise RowError(f"rating_count {text!r} is not a whole number of at least 0")
    return int(number)


def _flag_notes(flags: Counter[str]) -> list[str]:
    notes = []
    inferred = {k.split(":", 1)[1]: n for k, n in flags.items() if k.startswith("category:")}
    if inferred:
        listed = ", ".join(f"{c} {n}" for c, n in sorted(inferred.items(), key=lambda i: -i[1]))
        notes.append(
            f"categories inferred from product names for {sum(inferred.values())} rows: "
            f'{listed}; {inferred.get("other", 0)} fell into "other"'
        )
    for flag, text in (
        ("sizes", "sizes set to the category's standard size run for {} rows that list none"),
        ("mrp", "MRP taken as the price for {} rows that give none"),
        ("occasion", "occasion inferred from the name for {} rows"),
        ("no_color", "{} rows have no colour"),
        (
            "image",
            "{} image_url values are not web addresses: kept in attributes as "
            "original_image_url; the catalog shows a generated picture",
        ),
    ):
        if flags[flag]:
            notes.append(text.format(flags[flag]))
    return notes
