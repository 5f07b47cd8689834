"""Secrets handling: session tokens, service keys and password hashes.

Session tokens are 256 random bits.  Only their SHA-256 is stored: a token is already
high-entropy, so a fast hash is enough to make a stolen table useless, and the lookup by hash
is an index probe whose timing says nothing about the token.  Passwords use argon2id, run in a
small dedicated thread pool so a login never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "tl_"
# Each argon2 hash takes ARGON2_MEMORY_KIB of memory: a pool as wide as the machine bounds both
# memory and CPU however many password requests arrive at once (the rest queue).
_HASHING = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")


def new_session_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def service_key_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty configured key matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@lru_cache(maxsize=4)
def password_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


async def hash_password(hasher: PasswordHasher, password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, hasher.hash, password)


async def verify_password(hasher: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    """Check ``password``; with no stored hash, burn the same time against a dummy one.

    Doing the same work whether or not the account exists keeps response timing from telling
    an attacker which phones are registered.
    """

    def _verify() -> bool:
        target = stored_hash or _dummy_hash(hasher)
        try:
            ok = hasher.verify(target, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and stored_hash is not None

    return await asyncio.get_running_loop().run_in_executor(_HASHING, _verify)
