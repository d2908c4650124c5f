"""Key and field encryption ports: the key-encryption key (Cloud KMS or a local key file) and the cipher."""

from __future__ import annotations

from typing import Protocol


class KeyEncryptionKey(Protocol):
    """Wraps and unwraps data-encryption keys: Cloud KMS, or the local key file."""

    @property
    def name(self) -> str:
        """A stable identifier of the key (a KMS key name or ``local:<fingerprint>``)."""
        ...

    def wrap(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt a data key under associated data."""
        ...

    def unwrap(self, ciphertext: bytes, aad: bytes) -> bytes:
        """Decrypt a data key; raise IntegrityError when it does not authenticate."""
        ...


class Cipher(Protocol):
    """Field encryption bound to its location, and blind indexes for lookups."""

    def encrypt(self, org_id: str, plaintext: bytes, aad: bytes, *, principal_id: str | None = None) -> str:
        """Encrypt ``plaintext`` for an org (and principal) under ``aad``; return a token."""
        ...

    def decrypt(self, org_id: str, token: str, aad: bytes, *, principal_id: str | None = None) -> bytes:
        """Decrypt a token; raise IntegrityError on tampering or a moved ciphertext."""
        ...

    def blind_index(self, org_id: str, value: str, purpose: str) -> str:
        """A keyed hash of ``value`` for equality lookups without storing it."""
        ...

    def shred(self, org_id: str, principal_id: str) -> None:
        """Destroy a principal's key material so its ciphertexts never decrypt again."""
        ...
