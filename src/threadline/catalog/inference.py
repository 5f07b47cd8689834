"""What a product is, read from its words: category, occasion and material from a name.

Catalog files from outside (the Myntra export has no category at all) name the product the
way a shop does — "Women Pink Printed Kurta with Palazzos & Dupatta", "DKNY Unisex Black
Medium Trolley Bag" — and the thing sold is the last product word before any "with …".
So the rule that matches furthest to the right wins, the longer phrase on a tie
("formal shoes" over "shoes", "t-shirt" over "shirt").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (category id, alternatives).  Within a rule, longer phrases come first: a regex alternation
# takes the first alternative that matches at a position.
_RULES: tuple[tuple[str, str], ...] = (
    (
        "ethnic_set",
        r"kurta sets?|kurti sets?|kurta pyjamas?|salwar suits?|lehenga cholis?|lehengas?|"
        r"sherwanis?|sherwani sets?|dress materials?|ethnic sets?|churidar sets?",
    ),
    ("kurta", r"kurtas?|kurtis?"),
    ("saree", r"sarees?|saris?"),
    ("tshirt", r"t-shirts?|tshirts?|tees?|jerseys?|henleys?"),
    ("shirt", r"shirts?"),
    ("sweater", r"sweatshirts?|sweaters?|hoodies?|cardigans?|pullovers?|shrugs?"),
    (
        "jacket",
        r"nehru jackets?|jackets?|bombers?|blazers?|waistcoats?|coats?|suits?|windcheaters?|gilets?",
    ),
    ("dress", r"dresses|dress|jumpsuits?|playsuits?|gowns?|dungarees|one-piece"),
    ("top", r"crop tops?|tank tops?|tops?|tunics?|blouses?"),
    ("jeans", r"jeans|jeggings"),
    ("track_pants", r"track ?pants?|trackpants?|joggers?"),
    (
        "trousers",
        r"trousers?|chinos?|pants|palazzos?|culottes|cargos|leggings?|treggings|tights|salwars?|churidars?|jodhpuris",
    ),
    ("shorts", r"shorts|skirts?|capris"),
    ("formal_shoes", r"formal shoes?|formal slip-ons|derbys|derby shoes|oxfords|brogues|monks"),
    (
        "sneakers",
        r"sports shoes?|running shoes?|training shoes?|walking shoes?|casual shoes?|"
        r"sneakers?|shoes?|boots|loafers|slip-ons?",
    ),
    (
        "sandals",
        r"sandals?|heels|flats|ballerinas|pumps|wedges|mules|juttis|mojaris|kolhapuris|"
        r"peep toes|stilettos|flatforms|platforms",
    ),
    ("flip_flops", r"flip[- ]?flops?|sliders|slides|slippers"),
    ("belt", r"belts?"),
    ("watch", r"smart ?watch(?:es)?|watch(?:es)?"),
    (
        "bag",
        r"trolley bags?|laptop bags?|sling bags?|tote bags?|bags?|backpacks?|wallets?|trolleys?|"
        r"clutch(?:es)?|handbags?|totes?|duffles?|luggage|suitcases?|pouch(?:es)?|purses?|satchels?",
    ),
    ("sunglasses", r"sunglass(?:es)?|aviators"),
    (
        "jewellery",
        r"jewellery sets?|jewellery|jewelry|earrings?|necklaces?|bangles?|bracelets?|"
        r"finger rings?|nose rings?|rings?|brooch(?:es)?|head chains?|pendants?|jhumkas|chandbalis|studs|anklets?|maang tikk?a|"
        r"mangalsutras?|nose pins?",
    ),
    (
        "accessory",
        r"caps?|hats?|scarf|scarves|stoles?|mufflers?|socks|ties|cufflinks|pocket squares?|"
        r"gloves|beanies?|dupattas?|shawls?|rakhis?|rakhees?",
    ),
    (
        "innerwear",
        r"night suits?|nightdress|bras?|briefs?|boxers?|trunks?|innerwear|lingerie|panties|"
        r"camisoles?|pyjamas?|pajamas?|thermals?|shapewear|hipsters?",
    ),
    (
        "beauty",
        r"lipsticks?|lip gloss|perfumes?|eau de (?:toilette|parfum)|deodorants?|deos?|"
        r"fragrances?|nail polish|eyeshadow|kajal|mascara|face wash|shampoo|serum|trimmer|"
        r"lip colou?r|creams?|face masks?|sheet masks?|beard oil|hair dryer|epilator|"
        r"cheek ?powder|beauty kit|brush|edt|foundation|eye ?shadow(?: palette)?|lip shine|"
        r"cleanser|facial mist|hair masque|masks?|care kit",
    ),
    (
        "home",
        r"curtains?|bedsheets?|cushion covers?|pillow covers?|bath rugs?|carpets?|rugs?|"
        r"dohars?|quilts?|comforters?|blankets?|towels?|mugs?|cups?|placemats?|"
        r"table runners?|runners?|lamps?|wall shel(?:f|ves)|shelf|shelves|tissue holder|bath mats?|"
        r"doormats?|vases?|bowls?|glass(?:es)?|planters?|jars?|photo frames?|wall clock|"
        r"showpiece|platter|organi[sz]er|diwan set|duvet(?: cover)?s?|dry bin|trays?|"
        r"bedsheet|cushions?|plants?|pots?|statues?|coasters?|coaster set|bathmats?",
    ),
)
RULES = tuple(
    (category, re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])"))
    for category, alternatives in _RULES
)
# "Kurta with Palazzos & Dupatta" is a set, not a kurta.
_SET_PARTS = re.compile(
    r"(?<![a-z])(palazzos?|churidar|salwar|pyjamas?|dupatta|trousers|sharara|skirt|dhoti)"
)
_WITH = re.compile(r"\s(?:with|&\s*free)\s")

OCCASION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (occasion, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])"))
    for occasion, words in (
        ("festive", r"wedding|festive|ethnic|traditional|sherwani|lehenga|bridal|puja"),
        ("party", r"party|partywear|cocktail|evening"),
        ("formal", r"formal|office|business|workwear"),
        ("sports", r"sports?|running|gym|training|workout|athletic|football|yoga|track"),
    )
)
# A file's own word for the occasion (the seed's "usage" column, a native "occasion" cell).
OCCASION_ALIASES = {
    "casual": "casual",
    "smart casual": "casual",
    "everyday": "casual",
    "formal": "formal",
    "office": "formal",
    "party": "party",
    "festive": "festive",
    "ethnic": "festive",
    "wedding": "festive",
    "sports": "sports",
    "sport": "sports",
    "sportswear": "sports",
}
CATEGORY_OCCASION = {"formal_shoes": "formal", "ethnic_set": "festive", "track_pants": "sports"}
MATERIALS = {
    "cotton": "Cotton",
    "linen": "Linen",
    "denim": "Denim",
    "silk": "Silk",
    "leather": "Leather",
    "suede": "Suede",
    "polyester": "Polyester",
    "georgette": "Georgette",
    "chiffon": "Chiffon",
    "crepe": "Crepe",
    "rayon": "Rayon",
    "viscose": "Viscose",
    "wool": "Wool",
    "woollen": "Wool",
    "woolen": "Wool",
    "nylon": "Nylon",
    "satin": "Satin",
    "velvet": "Velvet",
    "khadi": "Khadi",
    "chanderi": "Chanderi",
    "canvas": "Canvas",
    "mesh": "Mesh",
    "jute": "Jute",
    "modal": "Modal",
    "fleece": "Fleece",
    "corduroy": "Corduroy",
    "stainless steel": "Stainless Steel",
    "brass": "Brass",
}
_MATERIAL = re.compile(r"(?<![a-z])(" + "|".join(sorted(MATERIALS, key=len, reverse=True)) + ")")


@dataclass(frozen=True, slots=True)
class Guess:
    """A category read from words, and the phrase that decided it ("Trolley Bag")."""

    category: str
    phrase: str


def infer_category(text: str) -> Guess | None:
    """The category the words name, or ``None`` when no rule matches."""
    lowered = " ".join(text.lower().split())
    parts = _WITH.split(lowered, maxsplit=1)
    guess = _rightmost(parts[0]) or (_rightmost(lowered) if len(parts) > 1 else None)
    if guess and guess.category == "kurta" and len(parts) > 1 and _SET_PARTS.search(parts[1]):
        return Guess("ethnic_set", "Kurta Set")
    return guess


def _rightmost(text: str) -> Guess | None:
    best: tuple[int, int, str, str] | None = None
    for category, pattern in RULES:
        for match in pattern.finditer(text):
            candidate = (match.end(), len(match.group()), category, match.group())
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return None
    return Guess(best[2], best[3].title())


def infer_occasion(text: str, category: str) -> str:
    """Festive, party, formal or sports when the words say so; else the category's usual one."""
    lowered = text.lower()
    for occasion, pattern in OCCASION_WORDS:
        if pattern.search(lowered):
            return occasion
    return CATEGORY_OCCASION.get(category, "casual")


def infer_material(*texts: str) -> str | None:
    """The first material named, looking at each text in turn (name before description)."""
    for text in texts:
        match = _MATERIAL.search(text.lower())
        if match:
            return MATERIALS[match.group(1)]
    return None
