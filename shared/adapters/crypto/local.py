"""The embedded key-encryption key: AES-256-GCM under a key file created with mode 0600."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from shared.adapters.crypto import aead
from shared.errors import ConfigError, IntegrityError


def load_or_create_key(path: Path, *, create: bool = True) -> bytes:
    """Read the key file, creating it (0600, 32 random bytes) on first use when ``create`` allows it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if create else None
    except FileExistsError:
        fd = None
    if fd is not None:
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(aead.new_key()).decode() + "\n")
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"the key file {path} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"the key file {path} cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if mode & 0o077:
        raise ConfigError(f"the key file {path} must not be readable by others (mode {mode:o}); chmod 600 it")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ConfigError(f"the key file {path} is not a base64 AES-256 key") from None
    if len(key) != 32:
        raise ConfigError(f"the key file {path} must hold a 256-bit key")
    return key


class LocalKek:
    """KeyEncryptionKey on a local AES-256 key; wraps data keys like Cloud KMS would."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a local key-encryption key has 32 bytes")
        self._key = key  # AES-GCM under it is made on the first wrap or unwrap (``aead``)
        self._name = "local:" + hashlib.sha256(key).hexdigest()[:16]
        self.wrap_calls = 0
        self.unwrap_calls = 0

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> LocalKek:
        """Load (or, when ``create`` allows it, create) the key file."""
        return cls(load_or_create_key(path, create=create))

    @property
    def name(self) -> str:
        """``local:`` and a fingerprint of the key."""
        return self._name

    def wrap(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt a data key: nonce followed by the AES-GCM ciphertext."""
        self.wrap_calls += 1
        return aead.seal(self._key, plaintext, aad)

    def unwrap(self, ciphertext: bytes, aad: bytes) -> bytes:
        """Decrypt a data key; IntegrityError when it does not authenticate."""
        self.unwrap_calls += 1
        plaintext = aead.open_sealed(self._key, ciphertext, aad)
        if plaintext is None:
            raise IntegrityError("a wrapped data key failed to authenticate")
        return plaintext
