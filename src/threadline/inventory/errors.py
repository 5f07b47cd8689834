"""Inventory errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import Conflict, NotFound


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "There is not enough stock for that."


class StoreNotFound(NotFound):
    code = "store_not_found"
    message = "No store has that id."
