"""Cart errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import Conflict, NotFound


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"
    message = "That line is not in the cart."


class EmptyCart(Conflict):
    code = "empty_cart"
    message = "The cart is empty."


class CartFull(Conflict):
    code = "cart_full"
    message = "The cart cannot hold more different items."
