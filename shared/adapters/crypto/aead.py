"""AES-256-GCM and HKDF-SHA256 from cryptography, loaded on the first seal, open or derivation.

An instance that never encrypts or decrypts anything (the webhook: channel documents hold a token
hash and times only) never imports cryptography, about 8 ms of its cold start. The module loads
with the collector paused, as the other heavy libraries do (``shared.collector``).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from shared.collector import collector_paused

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12


@functools.cache
def _lib() -> tuple[type[AESGCM], type[Exception]]:
    with collector_paused():
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM, InvalidTag


def new_key() -> bytes:
    """A random AES-256 key (what ``AESGCM.generate_key(bit_length=256)`` gives)."""
    return os.urandom(32)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """A random nonce followed by the AES-GCM ciphertext of ``plaintext`` bound to ``aad``."""
    nonce = os.urandom(NONCE)
    return nonce + _lib()[0](key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes | None:
    """The plaintext of a ``seal`` blob; None when it does not authenticate (or is too short to be one)."""
    cipher, invalid = _lib()
    try:
        return cipher(key).decrypt(blob[:NONCE], blob[NONCE:], aad)
    except (invalid, ValueError):
        return None


def hkdf_sha256(key: bytes, *, salt: bytes | None, info: bytes) -> bytes:
    """A 32-byte key derived from ``key`` by HKDF-SHA256."""
    _lib()  # cryptography's backend, loaded with the collector paused
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)
