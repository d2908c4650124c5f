"""Bearer secrets the service hands out (push-channel tokens, device tokens) are kept only as a hash."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()
