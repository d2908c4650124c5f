"""Delegated credentials (the access-token cache over them is ``tokens.py``).

Two ways to sign the JWT-bearer assertion, both with domain-wide delegation (``sub`` = the
user): :class:`ServiceAccountKey` (a key file from a path or JSON text, e.g. a secret) and
:class:`KeylessCredential` (no key: google-auth's ``google.auth.iam.Signer`` signs through the
IAM Credentials API with the runtime's own identity). Either yields
``google.oauth2.service_account.Credentials`` built ``with_subject``.

Parsing a key file (its RSA private key) costs milliseconds, so :data:`PARSED_KEYS` keeps the
parsed keys of this process by the SHA-256 fingerprint of their JSON text: every later
``ServiceAccountKey.from_json`` of the same text (each sync's, say) gets the same object back.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from google.auth import credentials as google_credentials
from google.auth import exceptions, iam
from google.oauth2 import service_account

from shared.adapters.google.transport import HttpxRequest
from shared.errors import (
    CredentialsUnavailable,
    InvalidInput,
)

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_LIFETIME = 3600.0


class Credential:
    """A service account that can mint delegated credentials for a subject."""

    client_id: str
    client_email: str

    @property
    def cache_id(self) -> str:
        """What distinguishes this credential in the token cache."""
        return f"{self.client_email}#{self.client_id}"

    def delegated(
        self, request: HttpxRequest, subject: str, scopes: Sequence[str], token_uri: str
    ) -> service_account.Credentials:
        """Credentials acting as ``subject`` for ``scopes``, exchanging at ``token_uri``."""
        raise NotImplementedError


class ServiceAccountKey(Credential):
    """A service-account key file (Google's JSON format)."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        try:
            self._base = service_account.Credentials.from_service_account_info(dict(info))  # type: ignore[no-untyped-call]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"not a usable service-account key file: {type(exc).__name__}") from None
        self.client_email = str(info["client_email"])
        self.client_id = str(info.get("client_id") or "")

    @classmethod
    def from_json(cls, text: str) -> ServiceAccountKey:
        """The key file's JSON text (e.g. from Secret Manager or the store), parsed once per process."""
        return PARSED_KEYS.get(text)

    @classmethod
    def parse(cls, text: str) -> ServiceAccountKey:
        """Parse the key file's JSON text (uncached)."""
        try:
            info = json.loads(text)
        except ValueError:
            raise InvalidInput("the service-account key is not valid JSON") from None
        if not isinstance(info, dict):
            raise InvalidInput("the service-account key must be a JSON object")
        return cls(info)

    @classmethod
    def from_file(cls, path: str | Path) -> ServiceAccountKey:
        """Read the key file at ``path``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read the service-account key file: {exc.strerror}") from None
        return cls.from_json(text)

    def delegated(
        self, request: HttpxRequest, subject: str, scopes: Sequence[str], token_uri: str
    ) -> service_account.Credentials:
        """The key's credentials ``with_subject(subject)`` and ``scopes``."""
        delegated = self._base.with_subject(subject).with_scopes(list(scopes)).with_token_uri(token_uri)
        return cast(service_account.Credentials, delegated)


class ParsedKeys:
    """Parsed service-account keys by the fingerprint of their JSON text (least recently used dropped)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._keys: OrderedDict[str, ServiceAccountKey] = OrderedDict()
        self.parses = 0
        self.hits = 0

    def get(self, text: str) -> ServiceAccountKey:
        """The parsed key for ``text``: from the cache, or parsed now (bad keys are never cached)."""
        fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            found = self._keys.get(fingerprint)
            if found is not None:
                self._keys.move_to_end(fingerprint)
                self.hits += 1
                return found
        key = ServiceAccountKey.parse(text)
        with self._lock:
            self.parses += 1
            self._keys[fingerprint] = key
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
        return key


PARSED_KEYS = ParsedKeys()


class KeylessCredential(Credential):
    """A service account signed for through IAM (``iam.Signer``): no key leaves Google.

    ``source`` are the runtime's credentials (Application Default Credentials when omitted)
    with the ``roles/iam.serviceAccountTokenCreator`` role on the service account.
    """

    def __init__(
        self,
        service_account_email: str,
        client_id: str,
        source: google_credentials.Credentials | None = None,
    ) -> None:
        self.client_email = service_account_email
        self.client_id = client_id
        self._source = source
        self._lock = threading.Lock()

    def _source_credentials(self) -> google_credentials.Credentials:
        with self._lock:
            if self._source is None:
                import google.auth

                try:
                    self._source, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
                except exceptions.DefaultCredentialsError:
                    raise CredentialsUnavailable(
                        "no Application Default Credentials in this process to sign for the service account "
                        "(keyless credentials need Google Cloud or GOOGLE_APPLICATION_CREDENTIALS)"
                    ) from None
            return self._source

    def delegated(
        self, request: HttpxRequest, subject: str, scopes: Sequence[str], token_uri: str
    ) -> service_account.Credentials:
        """Credentials whose assertion IAM signs, ``with_subject(subject)``."""
        signer = iam.Signer(request, self._source_credentials(), self.client_email)  # type: ignore[no-untyped-call]
        base = service_account.Credentials(  # type: ignore[no-untyped-call]
            signer, self.client_email, token_uri, scopes=list(scopes)
        )
        return cast(service_account.Credentials, base.with_subject(subject))  # type: ignore[no-untyped-call]
