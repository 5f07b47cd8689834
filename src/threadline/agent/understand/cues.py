"""Words that say what the shopper wants done, and words that carry nothing.

:data:`CUES` maps a phrase to a cue name; ``intents`` decides the intent from the cues found.
A cue is a hint, not a verdict: "show" with a category is a search, with "the second one" a
request for details.  :data:`FILLERS` are words a bare answer may carry ("size M please").
"""

from __future__ import annotations

from threadline.agent.understand.lexicon import table

CUES = table("""
show: show, show me, dikhao, dikhaao, dikha, dikhado, dikha do, dikhaiye, dikhana, dikhaye, batao, see, view, display, browse, let me see, lets see
want: want, need, wanted, chahiye, chaiye, chahie, give me, gimme, i would like, id like
seek: looking for, look for, searching for, search, find, something, anything, suggest, recommend, recommendation, recommendations, suggestions, suggestion, gift, gifts, shopping for, shop for, options for, what do you have, what all do you have, what do you sell, what all do you sell, what do you guys sell, whats new, new arrivals, trending, bestsellers, best sellers
more: more, more options, show more, see more, load more, next, next page, aur, kuch aur, aur dikhao, something else, other options, others, other, different, another, any more, anymore, baaki, aage, more like this
put: put, put it, put them, put this, put that, throw, move
add: add, add it, add to cart, add to bag, add to my cart, add to the cart, put it in cart, put in cart, put in bag, put it in my cart, into cart, into my cart, to cart, to my cart, to the cart, to bag, to my bag, daal do, dal do, daalo, dalo, daal, daaldo, add kar do, add karo, add kardo, rakh do, rakho, cart mein daal, cart me daal, cart mein dal, cart me dal
buy: buy, buying, purchase, take, ill take, i will take, i ll take, le lo, le lunga, le lungi, lunga, lungi, lelo, ill go with, i will go with, lets go with, ill have, i will have, get me, order this, order that
remove: remove, delete, take out, take off, take it out, out of my cart, out of the cart, out of cart, out of my bag, out of the bag, hata do, hatao, hata, hatado, nikal do, nikalo, nikaal do, clear, empty, discard, get rid of, drop it, drop this, drop that, drop the
change: make it, make that, make them, make the, quantity, qty, change, switch, swap, update, instead, increase, decrease, reduce, modify, badal do, badlo, badal, different size, exchange size
checkout: checkout, check out, place order, place the order, place my order, place an order, buy now, buy it now, proceed to checkout, proceed to pay, proceed to payment, make payment, make the payment, complete order, complete my order, complete the order, complete purchase, complete the purchase, confirm order, confirm my order, confirm the order, order now, order kar do, order karo, order kardo, order it, ready to pay, pay now, billing, bill, want to pay, wanna pay, lets pay
pay: pay, payment, paying, pay for it
payhow: payment options, payment option, payment methods, payment method, payment modes, ways to pay, how can i pay, how do i pay, modes of payment, mode of payment, how to pay
cart: added so far, what have i added, what did i add, what i added, in my cart, in cart, in the cart, whats in my cart, how much do i owe, how much do i have to pay, total amount, amount to pay, cart, my cart, basket, my bag, shopping bag, my basket, cart total, bag total, total, my total, the cart, in my bag
apply: apply coupon, apply code, apply promo, apply promo code, apply the coupon, apply a coupon, apply voucher, use code, use coupon, use the code, use promo code, redeem code, redeem coupon, apply, coupon lagao, coupon laga do
coupon: coupon, coupons, coupon code, promo code, promocode, voucher, vouchers, code, promo
offers: offer, offers, discount, discounts, deal, deals, sale, sales, cashback, points, loyalty, loyalty points, reward, rewards, tier, my tier, membership, member, my points, how many points, kitne points, bank offer, bank offers, any offers
details: is it, is this, is that, does it, does this, will it fit, does it fit, how does it fit, will this fit, fit me, details, detail, tell me about, tell me more, more about, more info, more information, info, information, describe, description, specs, specifications, fabric, material, made of, quality, reviews, review, ratings, rating, size chart, size guide, wash care, care instructions, how much, price of, kitne ka, kitne ki, kitna, kitne, kya price, features, photos, pictures, picture, images, image, zoom, baare mein, about it, about this, about that, what is it, whats it, what is this, whats this, how is it, warranty, washable, whats the price, what is the price, the price, its price, price kya hai
look: style, styling, how should i style, how to style, how do i style, kya pehnu, kya pehnoon, pehnu, iske saath, iske sath, is ke saath, go with, goes with, would go with, will go with, go well with, id go with, complete the look, complete my look, complete look, goes with, goes well with, match with, matches with, matching, pair with, pairs with, pair it with, wear with, style it, style with, outfit, outfits, what to wear with, kiske saath, ke saath, saath mein, go well with, wear it with
available: what sizes, which sizes, sizes available, available sizes, in which sizes, available, availability, in stock, stock, stocks, out of stock, sold out, left, milega, mil jayega, mil sakta, mil jaega, can i get it in, have it in
have: can i get, can i have, can we get, can i buy, do you have, do u have, have you got, got any, is there, are there, hai kya, do you guys have, do you sell, you sell, milta hai, do you carry, do you stock
reject: not a fan, not really a fan, ye wala nahi, yeh wala nahi, ye nahi, yeh nahi, not feeling it, dont like, do not like, didnt like, did not like, dont love, dislike, hate, ugly, not this one, not that one, not for me, not my style, not my type, not nice, not good, pasand nahi, pasand nahin, accha nahi, acha nahi, achha nahi, boring, not that, not this, dont want, do not want, not the
return: return, returns, returning, exchange, refund, refunds, send back, send it back, wapas, vapas, wapis, replacement, lautana, return it
track: arrived, not arrived, hasnt arrived, havent received, not received, didnt receive, didnt get, delivered yet, not delivered, not yet delivered, track, tracking, order status, where is my order, wheres my order, where is my package, where is my parcel, where is my delivery, kahan hai, kab aayega, kab ayega, kab aega, kab aaega, kab milega, kab pahunchega, shipment, shipped, dispatched, dispatch, arrive, arriving, status, eta, delivery status, has it shipped
order: order, orders, my order, mera order, my orders, previous order
staff: human, humans, person, real person, staff, staff member, salesperson, sales person, sales executive, salesman, saleswoman, executive, representative, customer care, customer service, customer support, support, live agent, manager, someone, somebody, associate, call me, call back, callback, insaan, talk to, speak to, speak with, talk with, connect me, baat karni, baat karni hai, baat karao, real human
store: store, stores, shop, shops, outlet, outlets, showroom, showrooms, branch, branches, dukaan, dukan, physical store, offline store, your store, your shop
locate: where, near, nearest, nearby, near me, close to me, location, locations, address, located, directions, direction, timing, timings, hours, open, opening, closing, close, kahan, kidhar, map, visit, which cities, cities, list
help: help, madad, how does this kiosk work, how does the kiosk work, how does this app work, kya kya kar sakte ho, kya kar sakte ho, kya kya kar sakti ho, what all can you do, what can you help with, what can you do, what do you do, how does this work, how does it work, how do i use, how to use, how to order, how do i order, how do i shop, what can i ask, who are you, what are you, guide, menu, commands, how can you help, tutorial, help me, can you help, how do you work, what can i do
greet: hi, hii, hiii, hiiii, hello, helo, hellooo, hallo, hey, heya, heyy, hola, namaste, namaskar, namastey, good morning, good afternoon, good evening, gm, yo, howdy, greetings, sup, whats up, wassup, hi there, hello there, hey there, salaam, vanakkam, kem cho, नमस्ते
thanks: thanks, thank, thank you, thankyou, thx, ty, tysm, thnx, thnks, thanks a lot, dhanyavad, dhanyawad, shukriya, cheers, appreciate it
bye: see you later, talk later, bye, goodbye, good bye, bye bye, see you, see ya, cya, tata, alvida, good night, gn, take care, ttyl
chat: useless, stupid, bad bot, you suck, dumb, im fine, i am fine, im good, i am good, doing well, all good, how are you, how r u, hows it going, how is it going, kaise ho, kaisa hai, kya haal, you are great, youre great, great, awesome, amazing, cool, nice, lol, haha, hahaha, good bot, well done, good job, love you, joke, tell me a joke, your name, whats your name, are you a bot, are you human, who made you, wow, fantastic, superb, bored, you are awesome, youre awesome, you are the best, you are smart, not bad, good, love it
yes: acha, accha, achha, acchha, yes, yeah, yep, yup, ya, yea, yess, yesss, y, ok, okay, okk, okey, k, kk, sure, haan, han, haa, ha, haanji, haan ji, ji, ji haan, done, confirm, confirmed, go ahead, go on, place it, do it, proceed, sounds good, perfect, alright, all right, right, correct, theek hai, thik hai, theek, thik, chalega, bilkul, of course, ofcourse, please do, absolutely, fine, definitely, why not, lets do it, agreed, yes please, sure thing, yes go ahead, ok go ahead, thats right, that is right, hmm ok
no: nahi chahiye, nahin chahiye, no, nope, nah, na, nahi, nahin, nai, nhi, not now, cancel, dont, no thanks, no thank you, never mind, nevermind, stop, leave it, rehne do, rehene do, mat karo, skip, later, not really, no need, not interested, forget it, abort, not yet, maybe later, dont do it, wait, hold on, hold up
""")

# Words that carry nothing on their own: a message of these and one slot is a bare answer.
_FILLERS = """a an the me my mine i im ive id ill please pls plz kindly can could would will shall
    you u your ur is are am was were be been to for of in on at with and or also just only
    then now so hmm hmmm umm um uh well actually really maybe like ok also one ones wala wali
    wale size sizes color colour colors colours colored coloured rang shade shades in
    what whats which how who why when there here some any all very too much many want need
    bhai bhaiya yaar na to toh hai hain ho ka ki ke ko se mein me mai main mujhe muje humko
    hume hamein kya koi ek bhi bas sirf ab abhi please also it its thing things something
    get got have has do does did dont let lets should give show tell pls thanks just
    sir madam maam dear bro dude boss buddy bot threadline team guys folks prefer preferably
    option options number no item items product products piece pieces pcs pc qty quantity
    fit wear clothes clothing kapde kapda kapre outfit wearing looking look style type kind
    price prices priced cost costs rupees rs inr range budget around about between from
    under below above over less than more upto up within max min by via yet if but as not
    because kuch liye waala sath saath jo mera meri mere apna apni aap aapka aapke tum hum
    yahan wahan kaunsa kaunsi konsa konsi iss uss hi"""
FILLERS = frozenset(_FILLERS.split())
