"""What shoppers' words mean: products, colours, people, occasions, places and ways to pay.

Each table is written as ``value: phrase, phrase, …`` lines and read once at import into a
phrase → value dict.  A phrase is matched on whole words after ``text.words`` (lower case,
apostrophes dropped, so "men's" is ``mens`` and "t-shirt" is ``t shirt``); plurals that only add
an "s" are found through ``search_text.stem``, the rest are listed.  Words that mean something
only in company ("date", "work", "run") appear only inside their phrases.
"""

from __future__ import annotations


def table(spec: str) -> dict[str, str]:
    """``value: a, b c`` lines → {"a": value, "b c": value}."""
    result: dict[str, str] = {}
    for line in spec.strip().splitlines():
        value, _, phrases = line.partition(":")
        for phrase in phrases.split(","):
            if phrase.strip():
                result[" ".join(phrase.split())] = value.strip()
    return result


# Category ids of catalog.taxonomy, and its group names.  "denim jacket" is a jacket and
# "running shoes" sneakers: the longest phrase wins.  "wallet" is decided in context (a bag,
# or a way to pay) and "suit" is left to the search words (a blazer or a salwar suit).
CATEGORIES = table("""
shirt: shirt, shirts, shrt
tshirt: tshirt, tshirts, t shirt, t shirts, tee, tees, tee shirt, teeshirt, polo, polos, polo shirt, polo tshirt, tshrt
top: top, tops, crop top, tunic, tunics, blouse, blouses, tank top, camisole, cami, peplum top
sweater: sweater, sweaters, sweatshirt, sweatshirts, sweat shirt, hoodie, hoodies, hoody, jumper, jumpers, pullover, pullovers, cardigan, cardigans
jacket: jacket, jackets, blazer, blazers, coat, coats, bomber, puffer, windcheater, nehru jacket, overcoat, denim jacket, leather jacket, shacket
dress: dress, dresses, frock, frocks, gown, gowns, maxi, maxi dress, one piece, bodycon
jeans: jeans, jean, denim, denims
trousers: trousers, trouser, pants, pant, chinos, chino, slacks, cargo, cargos, cargo pants, khakis, pantaloons
shorts: shorts, skirt, skirts, bermuda, bermudas, hot pants, mini skirt
track_pants: track pants, trackpants, track pant, trackpant, joggers, jogger, sweatpants, track lower, track lowers, lowers
kurta: kurta, kurtas, kurti, kurtis, kurtha, kurthas, kurtaa, kurte, kameez, pathani
saree: saree, sarees, sari, saris, saaree, sadi
ethnic_set: lehenga, lehengas, lehnga, lehanga, lehenga choli, sherwani, sherwanis, kurta set, kurta sets, kurta pyjama, kurta pajama, kurta payjama, salwar suit, salwar kameez, anarkali suit, churidar, ethnic set, ethnic sets, sharara, palazzo set
sneakers: sneakers, sneaker, trainers, trainer, running shoes, sports shoes, sport shoes, training shoes, walking shoes, canvas shoes, casual shoes, gym shoes, running shoe
formal_shoes: formal shoes, formal shoe, office shoes, leather shoes, derby, derbies, derby shoes, oxford shoes, brogues, loafers, loafer, monk strap, pumps
sandals: sandals, sandal, sandles, flats, heels, high heels, block heels, wedges, kolhapuri, kolhapuris, ballerinas, ballerina, floaters, juttis, jutti, mojari, mojaris, stilettos
flip_flops: flip flops, flip flop, flipflops, slippers, slipper, sliders, slider, chappal, chappals, slides
footwear: shoes, shoe, footwear, footwears, joota, joote, jootey, juta, jooti, jutey
belt: belt, belts
watch: watch, watches, smartwatch, smart watch, ghadi, wristwatch
bag: bag, bags, handbag, handbags, backpack, backpacks, purse, purses, tote, totes, tote bag, clutch, clutches, sling bag, laptop bag, trolley bag, suitcase, luggage, duffle, duffel
sunglasses: sunglasses, sunglass, shades, goggles, chashma, chasma, aviators, wayfarers
jewellery: jewellery, jewelry, jewelery, earrings, earring, necklace, necklaces, bangles, bangle, jhumka, jhumkas, jhumki, pendant, bracelet, bracelets, anklet, payal, mangalsutra, nose pin, studs
accessory: cap, caps, hat, hats, scarf, scarves, stole, stoles, tie, ties, muffler, socks, sock, pocket square, dupatta, dupattas, gloves, beanie, bandana
innerwear: innerwear, underwear, bra, bras, briefs, boxers, lingerie, nightwear, night suit, pyjamas, pajamas, pyjama, nightdress, sleepwear, vest, vests, banian, thermals
beauty: makeup, make up, lipstick, perfume, deodorant, nail polish, kajal, skincare, fragrance
home: curtains, curtain, bedsheet, bedsheets, cushion cover, cushion covers, towels, home decor, home furnishing
topwear: topwear, top wear, upper wear
bottomwear: bottomwear, bottom wear, bottoms
ethnic: ethnic, ethnic wear, ethnicwear, traditional, traditional wear, indian wear, desi wear
accessories: accessories
""")
# Categories sold in shoe sizes: "size 9" next to one of these is UK 9.
SHOE_CATEGORIES = frozenset({"sneakers", "formal_shoes", "sandals", "flip_flops", "footwear"})

# English colour names as a shopper says them, and Hindi ones in English.
COLOURS = table("""
black: black, blk, kala, kaala, kali, kaali, kale, kaale
white: white, safed, safaid, safeed, saphed, sufaid
off white: off white, offwhite, cream white
navy blue: navy blue, navyblue, navy
blue: blue, blu, neela, nila, neeli, nili, neele, nile
sky blue: sky blue, skyblue, light blue, aasmani, asmani
dark blue: dark blue, royal blue
grey: grey, gray, light grey, light gray
charcoal: charcoal, charcoal grey, dark grey, dark gray
olive: olive, olive green
maroon: maroon
mustard: mustard, mustard yellow
beige: beige
pink: pink, gulabi, light pink, baby pink
hot pink: hot pink
red: red, lal, laal
green: green, hara, hari, hare
dark green: dark green, bottle green
light green: light green, mint, mint green, pista
sea green: sea green
teal: teal
lavender: lavender
peach: peach
rust: rust
brown: brown, bhura, bhoora, coffee
tan: tan
khaki: khaki
cream: cream
yellow: yellow, peela, pila, peeli, pili, peele
orange: orange, narangi
purple: purple, violet, jamuni, baingani
magenta: magenta, fuchsia
burgundy: burgundy, wine
gold: gold, golden, sunehra, sunehri, sunahri
silver: silver
rose gold: rose gold
copper: copper
bronze: bronze
turquoise: turquoise
coral: coral
indigo: indigo
camel: camel
ivory: ivory
multi: multi, multicolour, multicolor, multi colour, multi color, multicoloured
""")

# Who the clothes are for.  "man"/"woman"/"boy"/"girl" alone are too often something else
# ("hey man"); only the phrases and the plurals name a gender.
GENDERS = table("""
men: men, mens, male, males, gents, gent, gentlemen, husband, hubby, boyfriend, bf, dad, daddy, father, papa, brother, grandfather, grandpa, uncle, for him, for a man, for a guy, mard, pati, for men
women: women, womens, female, females, ladies, lady, wife, wifey, girlfriend, gf, mom, mommy, mummy, mother, mum, maa, sister, grandmother, grandma, aunt, aunty, auntie, for her, for a woman, biwi, patni, didi, behen, bahen, bhabhi, for women
boys: boys, son, sons, nephew, beta, for a boy, baby boy, little boy, my boy
girls: girls, daughter, daughters, niece, beti, baby girl, little girl, for a girl, my girl
kids: kids, kid, children, child, toddler, toddlers, infant, bachcha, bacche, bachon, kiddo
""")

OCCASIONS = table("""
festive: wedding, weddings, shaadi, shadi, marriage, festive, festival, festivals, diwali, deepavali, puja, pooja, sangeet, mehendi, mehndi, haldi, eid, navratri, garba, dandiya, reception, engagement, karva chauth, rakhi, raksha bandhan, onam, pongal, holi, baraat, festive wear
formal: office, formal, formals, work wear, workwear, for work, to work, at work, interview, interviews, meeting, meetings, business, corporate, presentation, conference
party: party, parties, partywear, party wear, date night, on a date, for a date, a date, clubbing, club, night out, cocktail, birthday, new year, prom, farewell
sports: gym, running, for running, jogging, yoga, workout, workouts, exercise, training, sports, sport, sporty, athletic, cricket, football, badminton, tennis, hiking, trekking, marathon, cycling, fitness, activewear, active wear
casual: casual, casuals, college, everyday, every day, daily, daily wear, weekend, vacation, holiday, beach, travel, trip, outing, brunch, school
""")

# Store cities as the engine names them, and other spellings of them.
CITY_ALIASES = table("""
Mumbai: mumbai, bombay
Delhi: delhi, new delhi, dilli, ncr, delhi ncr
Bangalore: bangalore, bengaluru, bangaluru, bengalore, blr
Pune: pune, poona
Chennai: chennai, madras
Hyderabad: hyderabad, hyd, secunderabad
Kolkata: kolkata, calcutta
""")

PAYMENTS = table("""
upi: upi, gpay, g pay, google pay, googlepay, phonepe, phone pe, phonepay, phone pay, paytm, paytm upi, bhim, bhim upi, upi id
card: card, cards, credit card, debit card, creditcard, debitcard, visa, mastercard, master card, amex, credit, debit
cod: cod, cash, cash on delivery, pay on delivery, cash payment, pay cash, pay in cash, nakad
wallet: amazon pay, mobikwik, paytm wallet, freecharge, e wallet, ewallet
""")

# Paying with loyalty points (``use_points``).
POINTS = table("""
true: use my points, use points, use my loyalty points, redeem points, redeem my points, pay with points, pay using points, pay with my points, with points, using points, using my points, points se, apply points, apply my points, use my reward points, redeem my loyalty points
""")

FULFILMENTS = table("""
delivery: delivery, home delivery, deliver, deliver it, get it delivered, ship, ship it, shipping, send it home, courier, doorstep, door delivery, deliver home, ghar pe, ghar par, to my home, to my address
pickup: pickup, pick up, pickup in store, store pickup, collect, collect it, click and collect, in store pickup, self pickup, pick it up, pick them up
reserve_in_store: reserve, reserve it, reserved, reservation, hold, hold it, keep it for me, keep it aside, keep aside, set aside, book it, try it in store, try in store
""")

DIRECTIONS = table("""
lower: too expensive, too costly, too pricey, very expensive, bit expensive, a bit expensive, so expensive, bahut mehenga, bohot mehenga, zyada mehenga, bahut mehnga, over my budget, out of budget, out of my budget, cheaper, cheap, cheapest, sasta, sasti, saste, sastaa, sastha, budget, affordable, low price, lower price, low budget, less expensive, inexpensive, economical, low cost, lower priced, kam daam, kam price, kam keemat, value for money, less costly, not too expensive, reasonable, pocket friendly, lowest price
higher: premium, costlier, costly, expensive, more expensive, pricier, pricey, luxury, luxurious, high end, higher end, mehenga, mehnga, mehngi, mahanga, upmarket, designer, top end, highest price
""")

# Apparel sizes said in words (single letters are read in ``numbers`` where context allows).
SIZES = table("""
XS: xs, extra small, x small
S: small
M: medium, med
L: large
XL: xl, extra large, x large, 1xl
XXL: xxl, 2xl, double xl, xx large, double extra large
XXXL: xxxl, 3xl, triple xl
Free Size: free size, freesize, one size, onesize
""")

ORDINALS = table("""
1: first, pehla, pehli, pehle, pahla, pahli
2: second, doosra, dusra, doosri, dusri, doosre, dusre, dusara
3: third, teesra, tisra, teesri, tisri, teesre
4: fourth, chautha, chauthi, chouthi
5: fifth, paanchva, panchva, paanchvi
6: sixth
7: seventh
8: eighth
9: ninth
10: tenth
-1: last, aakhri, akhri, aakhiri
-2: second last, second to last, last but one, penultimate
""")
# Words after an ordinal that make it point at a product ("the second one", "doosra wala").
_ORDINAL_NOUNS = "one wala wali wale item option product pick choice piece design style"
ORDINAL_NOUNS = frozenset(_ORDINAL_NOUNS.split())
# Words after an ordinal that make it something else ("my last order", "first time").
_ORDINAL_BLOCKERS = """order orders time times week weeks month months year years day days night purchase
    purchases visit of name half hand class copy place step thing things person letter
    half floor row attempt"""
ORDINAL_BLOCKERS = frozenset(_ORDINAL_BLOCKERS.split())

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple": 2,
    "couple": 2,
    "ek": 1,
}

# Words that point at a product already in view.
REFERENCES = table("""
it: it, this, that, these, those, them, isko, usko, iska, uska, isse, usse, ye wala, yeh wala, woh wala, wo wala, vo wala, this one, that one, ye, yeh, woh
same: same, same one, the same, same wala, wahi, wohi, isi
""")
