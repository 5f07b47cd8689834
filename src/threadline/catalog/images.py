"""A generated picture for products without a photo: a small, self-contained SVG.

The garment's outline (a shirt, trousers, a shoe, a saree, a watch …) is filled with the
product's colour on a light tint of it, with the brand and a short name underneath.  Pure
function of the product, so the same product always gets the same bytes (cacheable by ETag).
Every piece of text is XML-escaped: names come from imported files.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from threadline.catalog.models import Product
from threadline.catalog.taxonomy import CATEGORIES

WIDTH, HEIGHT = 400, 500
NEUTRAL = "#9e9e9e"
# Colour names as Indian retail catalogues (Myntra among them) spell them.
COLOURS = {
    "black": "#1f1f1f",
    "white": "#f7f7f5",
    "off white": "#f3efe4",
    "cream": "#f1e6c8",
    "beige": "#d9c4a0",
    "khaki": "#b9a77a",
    "tan": "#c08a5a",
    "brown": "#7b4b2a",
    "coffee brown": "#5b3a24",
    "grey": "#8c8c8c",
    "gray": "#8c8c8c",
    "grey melange": "#a3a3a3",
    "charcoal": "#3f4348",
    "silver": "#c0c0c8",
    "gold": "#c9a23a",
    "rose gold": "#c98f7a",
    "bronze": "#a0682e",
    "copper": "#b3653a",
    "metallic": "#a8a9ad",
    "platinum": "#d5d6d8",
    "navy": "#1f2d55",
    "navy blue": "#1f2d55",
    "blue": "#2f5fb3",
    "royal blue": "#2a4fbf",
    "sky blue": "#7db8e8",
    "turquoise blue": "#2bb3b1",
    "teal": "#1d7f7a",
    "teal blue": "#1d6f80",
    "green": "#2f8a45",
    "olive": "#6b6b2a",
    "olive green": "#6b6b2a",
    "sea green": "#3e9d78",
    "lime green": "#8cc63f",
    "mint": "#a8e0c3",
    "yellow": "#f2c530",
    "mustard": "#d4a017",
    "mustard yellow": "#d4a017",
    "orange": "#ec7a26",
    "rust": "#b7472a",
    "coral": "#f0776a",
    "peach": "#f6b99b",
    "red": "#c62828",
    "maroon": "#6d1a2a",
    "burgundy": "#7a1f35",
    "wine": "#722f37",
    "pink": "#ef8fb3",
    "rose": "#e0728f",
    "magenta": "#c2188f",
    "fuchsia": "#d02f8a",
    "purple": "#6a3d9a",
    "lavender": "#b9a6e0",
    "mauve": "#b08bb0",
    "nude": "#e3bc9a",
    "multi": "#8a7fb8",
}
# Outlines on the 400 x 500 canvas: (path, darker?) per shape.
SHAPES: dict[str, tuple[tuple[str, bool], ...]] = {
    "topwear": (
        (
            "M140 75 L172 58 Q200 80 228 58 L260 75 L322 118 L296 168 L266 152 L266 345 "
            "L134 345 L134 152 L104 168 L78 118 Z",
            False,
        ),
    ),
    "dress": (("M168 60 L232 60 L244 140 L306 345 L94 345 L156 140 Z", False),),
    "bottomwear": (("M138 60 L262 60 L278 345 L214 345 L200 150 L186 345 L122 345 Z", False),),
    "shorts": (("M132 110 L268 110 L286 270 L214 270 L200 180 L186 270 L114 270 Z", False),),
    "ethnic": (
        (
            "M150 62 L176 50 Q200 72 224 50 L250 62 L302 112 L280 152 L262 138 L276 352 "
            "L124 352 L138 138 L120 152 L98 112 Z",
            False,
        ),
        ("M176 50 Q200 72 224 50 L218 120 L182 120 Z", True),
    ),
    "saree": (
        ("M158 58 L242 58 L266 352 L134 352 Z", False),
        ("M158 58 L270 205 L258 238 L146 96 Z", True),
    ),
    "footwear": (
        ("M88 262 L150 248 Q190 196 232 228 L304 262 Q326 280 312 298 L88 298 Z", False),
        ("M84 298 L316 298 L316 316 L84 316 Z", True),
    ),
    "bag": (
        ("M110 170 L290 170 L306 345 L94 345 Z", False),
        (
            "M160 170 Q160 100 200 100 Q240 100 240 170 L226 170 Q226 116 200 116 Q174 116 174 170 Z",
            True,
        ),
    ),
    "watch": (
        ("M178 70 L222 70 L222 330 L178 330 Z", True),
        ("M200 140 A60 60 0 1 1 199.9 140 Z", False),
    ),
    "sunglasses": (
        ("M96 190 L188 190 L180 250 Q140 272 104 250 Z", False),
        ("M212 190 L304 190 L296 250 Q260 272 220 250 Z", False),
        ("M188 196 Q200 184 212 196 L212 204 Q200 194 188 204 Z", True),
    ),
    "jewellery": (
        ("M110 100 Q200 300 290 100 L276 100 Q200 270 124 100 Z", False),
        ("M200 210 L222 250 L200 290 L178 250 Z", True),
    ),
    "belt": (
        ("M60 220 L340 220 L340 262 L60 262 Z", False),
        ("M96 210 L150 210 L150 272 L96 272 Z M108 222 L138 222 L138 260 L108 260 Z", True),
    ),
    "other": (("M120 110 L280 110 L300 330 L100 330 Z", False),),
}
SHAPE_OF = {
    "dress": "dress",
    "shorts": "shorts",
    "saree": "saree",
    "bag": "bag",
    "watch": "watch",
    "sunglasses": "sunglasses",
    "jewellery": "jewellery",
    "belt": "belt",
    "accessory": "bag",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def colour_hex(name: str | None) -> str:
    """The hex for a colour name ("Navy Blue", "Off-White", "Black & Grey" → black); else grey."""
    text = " ".join((name or "").lower().replace("-", " ").split())
    for part in re.split(r"\s*(?:&|/|,|\band\b)\s*", text):
        if part in COLOURS:
            return COLOURS[part]
        words = part.split()
        for start in range(1, len(words)):  # "dark olive green" → "olive green" → "green"
            if " ".join(words[start:]) in COLOURS:
                return COLOURS[" ".join(words[start:])]
    return NEUTRAL


def _mix(hex_colour: str, other: str, share: float) -> str:
    a = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _clean(text: str) -> str:
    return escape(_CONTROL.sub(" ", text), {'"': "&quot;"})


def _short_name(product: Product) -> list[str]:
    """The name without its leading brand, in at most two lines of about 30 characters."""
    name = product.name
    if product.brand and name.lower().startswith(product.brand.lower() + " "):
        name = name[len(product.brand) + 1 :]
    lines: list[str] = [""]
    for word in name.split():
        if len(lines[-1]) + len(word) + 1 <= 30 or not lines[-1]:
            lines[-1] = f"{lines[-1]} {word}".strip()
        elif len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = lines[-1][:28].rstrip() + "…"
            break
    return [line[:32] for line in lines]


def render_svg(product: Product) -> str:
    """The product's picture as an SVG document (400 x 500)."""
    fill = colour_hex(product.color)
    group = CATEGORIES.get(product.category, CATEGORIES["other"]).group
    shape = SHAPE_OF.get(product.category) or (group if group in SHAPES else "other")
    background = _mix(fill, "#ffffff", 0.82)
    dark = _mix(fill, "#000000", 0.35)
    paths = "".join(
        f'<path d="{d}" fill="{dark if darker else fill}" stroke="{dark}" stroke-width="3" '
        'stroke-linejoin="round"/>'
        for d, darker in SHAPES[shape]
    )
    # Names usually start with the brand already ("Urbane Threads Men's …"): say it once.
    named = product.name.lower().startswith(product.brand.lower())
    label = _clean(product.name if named else f"{product.brand} {product.name}")
    lines = "".join(
        f'<text x="200" y="{440 + 22 * i}" font-size="17" fill="#444" '
        f'text-anchor="middle">{_clean(line)}</text>'
        for i, line in enumerate(_short_name(product))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{background}"/>'
        f"{paths}"
        f'<rect x="0" y="380" width="{WIDTH}" height="120" fill="#ffffff" fill-opacity="0.85"/>'
        '<g font-family="Helvetica, Arial, sans-serif">'
        f'<text x="200" y="412" font-size="22" font-weight="700" fill="#222" '
        f'text-anchor="middle">{_clean(product.brand[:32])}</text>'
        f"{lines}</g></svg>"
    )
