"""Catalog errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import NotFound, Unprocessable


class ProductNotFound(NotFound):
    code = "product_not_found"
    message = "No product has that sku."


class InvalidSize(Unprocessable):
    code = "invalid_size"
    message = "That size is not offered for this product."
