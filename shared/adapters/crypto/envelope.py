"""Envelope encryption: per-org data keys, rotated on a schedule, wrapped by a KEK.

Key hierarchy::

    KEK (Cloud KMS key, or the local key file)
     └─ org data key version  orgs/{org}/keys/v{n}        rotated every ``rotation`` hours
         ├─ org records       (principal emails, credentials)   pin the version
         └─ principal key     orgs/{org}/principalKeys/{id}      random, wrapped by a data key
              └─ principal data (meetings, presence, sync tokens): HKDF(data key ‖ principal key)
    blind-index key           orgs/{org}/keys/index        never rotates (lookups stay stable)

Tokens look like ``hc1:v123:p:<base64url(nonce‖ciphertext)>``. Associated data binds every
ciphertext to its org, collection, document and field, so a moved ciphertext fails. Destroying
a principal key (``shred``) makes that principal's data unreadable at once, whatever TTL lags.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import UTC, datetime, timedelta

from shared.adapters.crypto import aead
from shared.adapters.crypto.key_cache import KeyCache
from shared.documents import Delete, Put, doc_path
from shared.errors import Conflict, IntegrityError, PreconditionFailed
from shared.ports import DocumentStore, KeyEncryptionKey
from shared.ports.clock import Clock

PREFIX = "hc1"
DATA_LIFETIME = timedelta(days=31 + 7 + 7)


def field_aad(org_id: str, collection: str, doc_id: str, field: str) -> bytes:
    """Associated data binding a ciphertext to its org, collection, document and field."""
    return "\x1f".join(("hc", org_id, collection, doc_id, field)).encode()


class EnvelopeCipher:
    """Cipher with rotating per-org data keys wrapped by a KeyEncryptionKey."""

    def __init__(
        self,
        store: DocumentStore,
        kek: KeyEncryptionKey,
        clock: Clock,
        *,
        rotation: timedelta = timedelta(hours=24),
        cache_seconds: float = 300.0,
    ) -> None:
        self._store, self._kek, self._clock = store, kek, clock
        self._rotation = rotation
        self._keys = KeyCache(store, clock, cache_seconds)  # safe across store transactions (``key_cache``)
        self._pinned: set[tuple[str, str]] = set()
        self._index_memo: dict[tuple[str, str, str], str] = {}

    # ------------------------------------------------------------ key versions

    def current_version(self) -> str:
        """The data-key version for now: the index of the rotation period."""
        period = int(self._clock.now().timestamp() // self._rotation.total_seconds())
        return f"v{period}"

    def _period_end(self, version: str) -> datetime:
        start = datetime.fromtimestamp(int(version[1:]) * self._rotation.total_seconds(), tz=UTC)
        return start + self._rotation

    def _data_key(self, org_id: str, version: str, *, create: bool) -> bytes:
        cached = self._keys.lookup(("dek", org_id, version))
        if cached is not None:
            return cached
        made = False
        # No lock is held across store calls: this may run inside a store transaction, and a lost
        # race to create the key is settled by the create-if-absent write below.
        path = doc_path("orgs", org_id, "keys", version)
        aad = field_aad(org_id, "keys", version, "wrapped")
        doc = self._store.get(path)
        if doc is None:
            if not create:
                raise IntegrityError("the data key for this ciphertext no longer exists")
            key = aead.new_key()
            data: dict[str, object] = {
                "wrapped": self._kek.wrap(key, aad),
                "kek": self._kek.name,
                "createdAt": self._clock.now(),
            }
            if version != "index":
                data["expireAt"] = self._period_end(version) + DATA_LIFETIME
            try:
                self._store.write([Put(path, data, if_absent=True)])
                made = True
            except Conflict:
                doc = self._store.get(path)
                if doc is None:
                    raise
                key = self._kek.unwrap(bytes(doc.data["wrapped"]), aad)
        else:
            key = self._kek.unwrap(bytes(doc.data["wrapped"]), aad)
        self._keys.remember(("dek", org_id, version), key, fresh=made)
        return key

    def _pin(self, org_id: str, version: str) -> None:
        """Keep a data-key version while long-lived records use it (no expiry)."""
        if (org_id, version) in self._pinned:
            return
        path = doc_path("orgs", org_id, "keys", version)
        doc = self._store.get(path)
        if doc is not None and "expireAt" in doc.data:
            data = {k: v for k, v in doc.data.items() if k != "expireAt"}
            data["pinned"] = True
            try:
                self._store.write([Put(path, data, if_version=doc.version)])
            except PreconditionFailed:
                return
        self._store.after_commit(lambda: self._pinned.add((org_id, version)))

    def _principal_key(self, org_id: str, principal_id: str, *, create: bool) -> bytes:
        cached = self._keys.lookup(("pk", org_id, principal_id))
        if cached is not None:
            return cached
        made = False
        path = doc_path("orgs", org_id, "principalKeys", principal_id)
        aad = field_aad(org_id, "principalKeys", principal_id, "wrapped")
        doc = self._store.get(path)
        if doc is None:
            if not create:
                raise IntegrityError("the principal's key material is gone")
            version = self.current_version()
            key = os.urandom(32)
            wrapped = self._seal(self._data_key(org_id, version, create=True), key, aad)
            try:
                self._store.write([Put(path, {"version": version, "wrapped": wrapped}, if_absent=True)])
                made = True
                self._pin(org_id, version)
            except Conflict:
                return self._principal_key(org_id, principal_id, create=False)
        else:
            version = str(doc.data["version"])
            key = self._open(self._data_key(org_id, version, create=False), bytes(doc.data["wrapped"]), aad)
        self._keys.remember(("pk", org_id, principal_id), key, fresh=made)
        return key

    def _field_key(self, org_id: str, version: str, principal_id: str | None, *, create: bool) -> bytes:
        if principal_id is None:
            return self._data_key(org_id, version, create=create)
        cache_key = ("fk", org_id, principal_id, version)
        cached = self._keys.lookup(cache_key)
        if cached is not None:  # derived from that data key within the cache's lifetime: one look-up per open
            return cached
        data_key = self._data_key(org_id, version, create=create)
        principal_key = self._principal_key(org_id, principal_id, create=create)
        derived = aead.hkdf_sha256(data_key, salt=principal_key, info=f"{PREFIX}|{org_id}|{principal_id}".encode())
        fresh = self._keys.fresh(("dek", org_id, version), ("pk", org_id, principal_id))
        self._keys.remember(cache_key, derived, fresh=fresh)
        return derived

    # ------------------------------------------------------------ AEAD

    @staticmethod
    def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return aead.seal(key, plaintext, aad)

    @staticmethod
    def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
        plaintext = aead.open_sealed(key, blob, aad)
        if plaintext is None:
            raise IntegrityError("a ciphertext failed to authenticate")
        return plaintext

    # ------------------------------------------------------------ Cipher port

    def encrypt(self, org_id: str, plaintext: bytes, aad: bytes, *, principal_id: str | None = None) -> str:
        """Encrypt under the current data key (and the principal key when given)."""
        version = self.current_version()
        key = self._field_key(org_id, version, principal_id, create=True)
        if principal_id is None:
            self._pin(org_id, version)
        blob = self._seal(key, plaintext, aad)
        scope = "p" if principal_id else "o"
        return f"{PREFIX}:{version}:{scope}:{base64.urlsafe_b64encode(blob).decode()}"

    def decrypt(self, org_id: str, token: str, aad: bytes, *, principal_id: str | None = None) -> bytes:
        """Decrypt a token; IntegrityError on tampering, a moved ciphertext or a shredded key."""
        try:
            prefix, version, scope, body = token.split(":", 3)
            blob = base64.urlsafe_b64decode(body.encode())
        except ValueError as exc:
            raise IntegrityError("not a ciphertext token") from exc
        if prefix != PREFIX or not version.startswith("v") or scope != ("p" if principal_id else "o"):
            raise IntegrityError("ciphertext token does not match its scope")
        key = self._field_key(org_id, version, principal_id, create=False)
        return self._open(key, blob, aad)

    def blind_index(self, org_id: str, value: str, purpose: str) -> str:
        """HMAC-SHA256 of the normalised value under the org's index key (HKDF per purpose)."""
        memo_key = (org_id, purpose, value)
        hit = self._index_memo.get(memo_key)
        if hit is not None:
            return hit
        cache_key = ("bi", org_id, purpose)
        key = self._keys.lookup(cache_key)
        if key is None:
            root = self._data_key(org_id, "index", create=True)
            key = aead.hkdf_sha256(root, salt=None, info=f"bi|{purpose}".encode())
            self._keys.remember(cache_key, key, fresh=self._keys.fresh(("dek", org_id, "index")))
        digest = hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:40]
        if not self._keys.fresh(cache_key):  # memoise only what a committed key produced
            if len(self._index_memo) >= 50_000:
                self._index_memo.clear()
            self._index_memo[memo_key] = digest
        return digest

    def shred(self, org_id: str, principal_id: str) -> None:
        """Destroy a principal's key material and forget every cached derivative."""
        self._store.write([Delete(doc_path("orgs", org_id, "principalKeys", principal_id))])
        self._keys.evict(("pk", org_id, principal_id))
        self._keys.evict(("fk", org_id, principal_id))


class NullCipher:
    """A cipher that does not encrypt: the baseline for encryption-overhead benchmarks."""

    def encrypt(self, org_id: str, plaintext: bytes, aad: bytes, *, principal_id: str | None = None) -> str:
        """Return the plaintext, base64-encoded."""
        return "null:" + base64.b64encode(plaintext).decode()

    def decrypt(self, org_id: str, token: str, aad: bytes, *, principal_id: str | None = None) -> bytes:
        """Invert ``encrypt``."""
        return base64.b64decode(token[5:])

    def blind_index(self, org_id: str, value: str, purpose: str) -> str:
        """An unkeyed hash (no secrecy: benchmarks only)."""
        return hashlib.sha256(f"{purpose}|{value.strip().lower()}".encode()).hexdigest()[:40]

    def shred(self, org_id: str, principal_id: str) -> None:
        """Nothing to destroy."""
