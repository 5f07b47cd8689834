"""Checkout, order and return errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import BadRequest, Conflict, NotFound, Unprocessable


class IdempotencyKeyRequired(BadRequest):
    code = "idempotency_key_required"
    message = "Checkout needs an Idempotency-Key header (any unique string per attempt)."


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    message = "That Idempotency-Key was already used with a different request body."


class CartChanged(Conflict):
    code = "cart_changed"
    message = "Prices or offers changed since the cart was shown; please review it and retry."


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "No order of yours has that id."


class InvalidFulfillment(Unprocessable):
    code = "invalid_fulfillment"
    message = "The fulfilment choice is incomplete."


class ReturnNotAllowed(Conflict):
    code = "return_not_allowed"
    message = "This order cannot be returned."


class InvalidReturnLines(Unprocessable):
    code = "invalid_line_ids"
    message = "Those lines are not in this order."


class AlreadyReturned(Conflict):
    code = "already_returned"
    message = "That item has already been returned."


class InvalidStatusChange(Conflict):
    code = "invalid_status_change"
    message = "The order cannot move to that status from where it is."


class InvalidPickupCode(Unprocessable):
    code = "invalid_pickup_code"
    message = "That pickup code does not match the order."
