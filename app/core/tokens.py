"""Secret tokens: long random values shown once, only a SHA-256 hash stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "") -> str:
    """256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # High-entropy tokens need no slow hash: SHA-256 resists preimages, and lookups stay indexed.
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
