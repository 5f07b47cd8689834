"""Account errors (see ``threadline.core.errors`` for the hierarchy)."""

from __future__ import annotations

import math

from threadline.core.errors import AppError, Conflict, NotFound, Unauthorized, Unprocessable


class WeakPassword(Unprocessable):
    code = "weak_password"
    message = "Choose a password of 8 to 128 characters that is not all digits or a common one."


class AlreadyRegistered(Conflict):
    code = "already_registered"
    message = "This phone number already has an account; log in instead."


class InvalidCode(Unauthorized):
    code = "invalid_code"
    message = "That code is not right or has expired; request a new one."


class DeviceNotFound(NotFound):
    code = "device_not_found"
    message = "You have no signed-in device with that id."


class DeliveryFailed(AppError):
    status = 502
    code = "delivery_failed"
    message = "We could not send the code just now; please try again in a moment."


class TooManyAttempts(AppError):
    status = 429
    code = "too_many_attempts"
    message = "Too many attempts. Please wait before trying again."

    def __init__(self, retry_after_seconds: float) -> None:
        seconds = max(1, math.ceil(retry_after_seconds))
        super().__init__(
            f"Too many attempts. Try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )
