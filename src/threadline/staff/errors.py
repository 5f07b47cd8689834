"""Staff account errors (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

from threadline.core.errors import Conflict, NotFound, Unauthorized, Unprocessable


class StaffLoginRequired(Unauthorized):
    """No staff sign-in: no cookie, an unknown or expired one, or a customer's token."""

    code = "staff_login_required"
    message = "Sign in with a staff account to see the dashboard."


class InvalidStaffCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "That username or password is not right."


class InvalidUsername(Unprocessable):
    code = "invalid_username"
    message = "A username has 3 to 32 characters: letters, digits, dots, dashes or underscores."


class StaffExists(Conflict):
    code = "staff_exists"
    message = "A staff user with that username already exists."


class StaffNotFound(NotFound):
    code = "staff_not_found"
    message = "There is no staff user with that username."
