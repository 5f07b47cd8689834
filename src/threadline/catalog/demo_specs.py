"""The demo catalog's vocabulary: fictional brands, colours, and what each category sells.

Pure data for ``catalog.demo``.  Every brand here is invented for the demo; none is meant to
name a real company.  Prices are rupees (the generator stores paise).
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    """One kind of item: its noun, usual occasion, fixed material and genders ("" = all)."""

    noun: str
    occasion: str
    material: str | None = None
    genders: str = ""


class Spec(NamedTuple):
    # Gender letters, repeated to weight them: m men, w women, b boys, g girls, u unisex.
    genders: str
    kinds: tuple[Kind, ...]
    materials: tuple[str, ...]
    price: tuple[int, int]
    brands: tuple[str, ...]
    styles: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    # How many of every deck of products are of this category.
    weight: int = 2


WESTERN = ("Urbane Threads", "Banyan & Co.", "Metro Loom", "Coastline Denim Co.")
ETHNIC = ("Kesari Looms", "Zariwala House", "Nila Weaves", "Mitti & Mor")
ACTIVE = ("Stridewell", "Tempo Active")
FOOTWEAR = ("Cobbler Street", "Stridewell")
KIDS_BRAND = "Little Lotus"
COLOURS = (
    *("Black", "White", "Off White", "Navy Blue", "Blue", "Sky Blue", "Grey", "Charcoal"),
    *("Olive", "Maroon", "Mustard", "Beige", "Pink", "Red", "Green", "Teal", "Lavender"),
    *("Peach", "Rust", "Brown", "Cream", "Yellow", "Sea Green"),
)
FIT = ("Slim Fit", "Regular Fit", "Relaxed Fit")
K = Kind

SPECS: dict[str, Spec] = {
    "shirt": Spec(
        "mmmmwwb",
        (
            K("Oxford Shirt", "formal", "Cotton"),
            K("Formal Shirt", "formal"),
            K("Casual Shirt", "casual"),
            K("Linen Shirt", "casual", "Linen"),
            K("Checked Shirt", "casual"),
            K("Printed Party Shirt", "party", "Viscose Rayon"),
            K("Mandarin Collar Shirt", "casual"),
        ),
        ("Cotton", "Cotton Blend", "Giza Cotton", "Cotton Linen"),
        (799, 2999),
        WESTERN,
        FIT,
        weight=4,
    ),
    "tshirt": Spec(
        "mmmwwwbg",
        (
            K("Crew Neck T-shirt", "casual"),
            K("Polo T-shirt", "casual"),
            K("Graphic Print T-shirt", "casual"),
            K("V-Neck T-shirt", "casual"),
            K("Dri-Fit Training T-shirt", "sports", "Polyester"),
        ),
        ("Cotton", "Organic Cotton", "Cotton Blend", "Supima Cotton"),
        (399, 1499),
        (*WESTERN, *ACTIVE),
        ("Regular Fit", "Slim Fit", "Oversized"),
        weight=4,
    ),
    "jeans": Spec(
        "mmmwwwbg",
        tuple(K(f"{cut} Jeans", "casual") for cut in ("Skinny", "Straight", "Tapered", "Bootcut"))
        + (K("Distressed Jeans", "party"),),
        ("Stretch Denim", "Denim", "Organic Denim"),
        (999, 3499),
        ("Coastline Denim Co.", "Metro Loom", "Urbane Threads"),
        ("Mid-Rise", "High-Rise", "Low-Rise"),
        ("Blue", "Navy Blue", "Black", "Grey", "Sky Blue", "Charcoal"),
        weight=3,
    ),
    "trousers": Spec(
        "mmmww",
        (
            K("Formal Trousers", "formal"),
            K("Pleated Trousers", "formal"),
            K("Chinos", "casual", "Cotton Stretch"),
            K("Cargo Trousers", "casual", "Cotton Twill"),
        ),
        ("Poly Viscose", "Cotton Stretch", "Linen Blend", "Wool Blend"),
        (899, 2999),
        WESTERN,
        ("Slim Fit", "Regular Fit", "Tapered Fit"),
        ("Black", "Navy Blue", "Grey", "Charcoal", "Beige", "Olive", "Khaki", "Brown"),
        weight=3,
    ),
    "kurta": Spec(
        "mmwwwbg",
        (
            K("Straight Kurta", "casual"),
            K("A-Line Kurta", "casual", genders="wg"),
            K("Anarkali Kurta", "festive", genders="wg"),
            K("Chikankari Kurta", "festive", "Cotton"),
            K("Printed Kurta", "casual"),
            K("Embroidered Kurta", "festive"),
            K("Pathani Kurta", "casual", genders="mb"),
        ),
        ("Cotton", "Rayon", "Silk Blend", "Khadi", "Chanderi"),
        (599, 2999),
        ETHNIC,
        ("Calf Length", "Knee Length", "Regular"),
        weight=3,
    ),
    "saree": Spec(
        "w",
        (
            K("Banarasi Saree", "festive", "Silk"),
            K("Kanjeevaram Saree", "festive", "Silk"),
            K("Printed Saree", "casual", "Georgette"),
            K("Chiffon Saree", "party", "Chiffon"),
            K("Handloom Saree", "casual", "Cotton"),
            K("Embellished Saree", "party", "Net"),
        ),
        ("Silk",),
        (999, 8999),
        ETHNIC,
        colours=("Maroon", "Red", "Mustard", "Teal", "Pink", "Green", "Navy Blue", "Peach", "Gold"),
        weight=2,
    ),
    "dress": Spec(
        "wwwg",
        (
            K("A-Line Dress", "casual"),
            K("Maxi Dress", "casual"),
            K("Bodycon Dress", "party"),
            K("Shirt Dress", "casual", "Cotton"),
            K("Wrap Dress", "party"),
            K("Fit and Flare Dress", "party"),
            K("Sheath Dress", "formal"),
        ),
        ("Crepe", "Georgette", "Cotton", "Rayon", "Viscose"),
        (799, 3999),
        WESTERN,
        ("Midi", "Knee Length", "Maxi Length"),
    ),
    "top": Spec(
        "wwwg",
        (
            K("Crop Top", "casual"),
            K("Peplum Top", "party"),
            K("Wrap Top", "casual"),
            K("Tunic Top", "casual"),
            K("Bardot Top", "party"),
            K("Shirt-Style Top", "formal"),
        ),
        ("Rayon", "Cotton", "Georgette", "Polyester", "Crepe"),
        (399, 1799),
        WESTERN,
        ("Regular Fit", "Relaxed Fit"),
    ),
    "jacket": Spec(
        "mmmwwb",
        (
            K("Bomber Jacket", "casual", "Polyester"),
            K("Denim Jacket", "casual", "Denim"),
            K("Puffer Jacket", "casual", "Nylon"),
            K("Biker Jacket", "party", "Faux Leather"),
            K("Single-Breasted Blazer", "formal", "Wool Blend", "mw"),
            K("Nehru Jacket", "festive", "Silk Blend", "mb"),
        ),
        ("Polyester",),
        (1499, 5999),
        WESTERN,
        ("Slim Fit", "Regular Fit"),
    ),
    "sweater": Spec(
        "mmwwbg",
        (
            K("Hooded Sweatshirt", "casual", "Cotton Fleece"),
            K("Cardigan", "casual", "Acrylic Wool"),
            K("Pullover Sweater", "casual", "Acrylic Wool"),
        ),
        ("Cotton Fleece",),
        (799, 2499),
        (*WESTERN, *ACTIVE),
        ("Regular Fit", "Relaxed Fit"),
        weight=1,
    ),
    "track_pants": Spec(
        "mmwwbg",
        (K("Track Pants", "sports"), K("Joggers", "sports"), K("Training Joggers", "sports")),
        ("Polyester", "Cotton Blend", "Dri-Fit Knit"),
        (599, 1999),
        ACTIVE,
        ("Slim Fit", "Regular Fit"),
        weight=1,
    ),
    "sneakers": Spec(
        "mmmwwbg",
        (
            K("Running Shoes", "sports", "Mesh"),
            K("Training Shoes", "sports", "Mesh"),
            K("Walking Shoes", "sports", "Knit"),
            K("Casual Sneakers", "casual"),
            K("Slip-On Sneakers", "casual", "Canvas"),
            K("High-Top Sneakers", "casual"),
        ),
        ("Synthetic Leather", "Canvas", "Suede"),
        (1299, 5999),
        FOOTWEAR,
        colours=("White", "Black", "Grey", "Navy Blue", "Olive", "Beige", "Red", "Blue"),
        weight=3,
    ),
    "formal_shoes": Spec(
        "mmmw",
        (
            K("Derby Shoes", "formal", "Leather", "m"),
            K("Oxford Shoes", "formal", "Leather", "m"),
            K("Brogues", "formal", "Leather", "m"),
            K("Monk Strap Shoes", "formal", "Leather", "m"),
            K("Loafers", "formal", "Suede", "m"),
            K("Block Heel Pumps", "formal", "Synthetic Leather", "w"),
            K("Pointed-Toe Pumps", "formal", "Patent Leather", "w"),
        ),
        ("Leather",),
        (1499, 5999),
        ("Cobbler Street",),
        ("Classic", "Textured", "Cushioned", "Handcrafted", "Glossy"),
        colours=("Black", "Brown", "Tan", "Burgundy", "Navy Blue"),
    ),
    "sandals": Spec(
        "wwwmg",
        (
            K("Block Heels", "party", genders="w"),
            K("Kolhapuri Flats", "festive", "Leather", "wg"),
            K("Ballerinas", "casual", genders="wg"),
            K("Wedge Sandals", "casual", genders="w"),
            K("Floater Sandals", "casual", "Synthetic", "m"),
        ),
        ("Synthetic Leather", "Leather", "Faux Suede"),
        (499, 2499),
        FOOTWEAR,
        colours=("Black", "Brown", "Tan", "Beige", "Gold", "Silver", "Pink", "Navy Blue", "White"),
        weight=1,
    ),
    "ethnic_set": Spec(
        "mmwwwbg",
        (
            K("Kurta Pyjama Set", "festive", genders="mb"),
            K("Sherwani Set", "festive", "Silk Blend", "mb"),
            K("Kurta Set with Dupatta", "festive", genders="wg"),
            K("Lehenga Choli", "festive", "Georgette", "wg"),
            K("Anarkali Suit Set", "festive", genders="w"),
            K("Printed Kurta Set", "casual", "Cotton"),
        ),
        ("Silk Blend", "Art Silk", "Georgette", "Rayon"),
        (1499, 9999),
        ETHNIC,
        colours=("Maroon", "Mustard", "Cream", "Teal", "Pink", "Peach", "Navy Blue", "Gold", "Red"),
        weight=3,
    ),
    "belt": Spec(
        "mmw",
        (
            K("Leather Belt", "formal", "Leather", "m"),
            K("Reversible Belt", "formal", "Leather", "m"),
            K("Casual Canvas Belt", "casual", "Canvas"),
            K("Skinny Waist Belt", "party", "PU", "w"),
        ),
        ("Leather",),
        (399, 1499),
        ("Saffron Trail", "Urbane Threads"),
        colours=("Black", "Brown", "Tan", "Navy Blue"),
        weight=1,
    ),
    "watch": Spec(
        "mmwwu",
        (
            K("Analogue Watch", "formal"),
            K("Chronograph Watch", "casual"),
            K("Digital Sports Watch", "sports", "Silicone"),
            K("Smartwatch", "sports", "Silicone"),
            K("Minimalist Watch", "casual"),
        ),
        ("Stainless Steel", "Leather", "Metal Mesh"),
        (1499, 9999),
        ("Horizon Timeworks",),
        ("Round Dial", "Square Dial", "Slim", "Classic"),
        colours=("Black", "Silver", "Gold", "Brown", "Blue", "Rose Gold"),
    ),
    "bag": Spec(
        "wwwmu",
        (
            K("Tote Bag", "casual", genders="w"),
            K("Sling Bag", "casual"),
            K("Laptop Backpack", "formal", "Polyester"),
            K("Handbag", "party", genders="w"),
            K("Clutch", "party", genders="w"),
            K("Bi-Fold Wallet", "casual", "Leather", "m"),
            K("Trolley Bag", "casual", "Polycarbonate"),
            K("Duffle Bag", "sports", "Polyester"),
        ),
        ("PU", "Leather", "Canvas"),
        (599, 5999),
        ("Saffron Trail",),
        ("Structured", "Quilted", "Textured", "Solid"),
        colours=("Black", "Brown", "Tan", "Beige", "Maroon", "Navy Blue", "Olive", "Pink"),
    ),
    "sunglasses": Spec(
        "mmwwu",
        (
            K("Aviator Sunglasses", "casual", "Metal"),
            K("Wayfarer Sunglasses", "casual"),
            K("Round Sunglasses", "casual"),
            K("Cat-Eye Sunglasses", "party", genders="w"),
            K("Sports Sunglasses", "sports", "Polycarbonate"),
        ),
        ("Acetate", "Metal", "Polycarbonate"),
        (699, 3999),
        ("Solstice Eyewear",),
        ("UV-Protected", "Polarised"),
        colours=("Black", "Brown", "Gold", "Silver", "Blue", "Grey"),
        weight=1,
    ),
    "jewellery": Spec(
        "w",
        (
            K("Jhumka Earrings", "festive"),
            K("Kundan Necklace Set", "festive"),
            K("Drop Earrings", "casual"),
            K("Stud Earrings", "casual"),
            K("Bangle Set", "festive"),
            K("Layered Necklace", "party"),
            K("Pearl Pendant", "party"),
        ),
        ("Brass", "Gold-Plated Brass", "Sterling Silver", "Alloy"),
        (299, 2999),
        ("Kaveri Craft",),
        ("Gold-Plated", "Handcrafted", "Stone-Studded", "Temple", "Pearl-Drop"),
        colours=("Gold", "Silver", "Rose Gold", "Maroon", "Green"),
    ),
    "accessory": Spec(
        "mmwwu",
        (
            K("Baseball Cap", "casual", "Cotton"),
            K("Printed Stole", "casual", "Viscose", "w"),
            K("Silk Tie", "formal", "Silk", "m"),
            K("Printed Pocket Square", "party", "Satin", "m"),
            K("Woollen Muffler", "casual", "Wool"),
        ),
        ("Cotton",),
        (199, 1499),
        ("Urbane Threads", "Saffron Trail", "Tempo Active"),
        weight=1,
    ),
}
DETAILS = {
    "topwear": (
        "with full sleeves",
        "with short sleeves",
        "with a classic collar",
        "with a curved hem",
    ),
    "bottomwear": ("with five pockets", "with a flat front", "with a comfortable waistband"),
    "ethnic": ("with fine thread work", "with a woven border", "with printed motifs"),
    "footwear": ("with a cushioned footbed", "with a grippy rubber sole", "with a padded collar"),
    "accessories": ("with a polished finish", "with a handcrafted feel", "with a clean look"),
}
OCCASION_LINES = {
    "casual": "An easy pick for everyday casual wear.",
    "formal": "Smart enough for the office and formal occasions.",
    "party": "Made to stand out at parties and evenings out.",
    "festive": "A festive favourite for weddings, pujas and celebrations.",
    "sports": "Built for workouts, runs and an active day.",
}
