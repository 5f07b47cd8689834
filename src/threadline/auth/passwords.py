"""Password rules and hashing parameters.

Rules: 8 to 128 characters, not all digits, and not a commonly used or breached password as
judged by zxcvbn's frequency lists and patterns (offline; score below 2 is refused).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from zxcvbn import zxcvbn

from threadline.auth.errors import WeakPassword
from threadline.config import Settings
from threadline.core.security import password_hasher

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 2


def check_strength(password: str, *, user_inputs: list[str] | None = None) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(
            f"A password has {MIN_LENGTH} to {MAX_LENGTH} characters.", field="password"
        )
    if password.isdigit():
        raise WeakPassword("A password cannot be only digits.", field="password")
    # zxcvbn's cost grows with length; MAX_LENGTH keeps it to a few milliseconds.
    result = zxcvbn(
        password, user_inputs=[u for u in user_inputs or [] if u], max_length=MAX_LENGTH
    )
    if result["score"] < MIN_SCORE:
        hint = result["feedback"]["warning"] or "It is too easy to guess."
        raise WeakPassword(f"That password is too easy to guess: {hint}", field="password")


def hasher(settings: Settings) -> PasswordHasher:
    return password_hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
