"""Offer and loyalty errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import Conflict, Unprocessable


class InvalidCoupon(Unprocessable):
    code = "invalid_coupon"
    message = "That coupon code is not valid."


class NotEnoughPoints(Conflict):
    code = "not_enough_points"
    message = "The loyalty points balance changed; please try again."
