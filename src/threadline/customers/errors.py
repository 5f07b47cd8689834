"""Customer errors (see ``threadline.core.errors`` for the hierarchy)."""

from threadline.core.errors import Conflict, NotFound, Unauthorized


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    message = "No customer has that id."


class CustomerMismatch(Conflict):
    code = "customer_mismatch"
    message = "The customer_id given does not belong to this phone number."


class PhoneInUse(Conflict):
    code = "phone_in_use"
    message = "That phone number already belongs to another customer."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "The phone number or password is not right."
