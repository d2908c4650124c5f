"""``GoogleClients``: the factory for Calendar and Gmail clients sharing one HTTP client,
token cache, quota guard and call counter; and ``GoogleCalendarDirectory``, which picks an org's
credential and the subject acting for a principal (the gateway's calendar clients come from it).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import httpx

from shared.adapters.google.auth import Credential, KeylessCredential, ServiceAccountKey
from shared.adapters.google.calendar import CALENDAR_SCOPE, GoogleCalendar
from shared.adapters.google.counter import CallCounter
from shared.adapters.google.gmail import GMAIL_SCOPE, GoogleGmail
from shared.adapters.google.http import (
    Delegation,
    GoogleEndpoints,
    GoogleHttp,
    RetryPolicy,
    new_http_client,
    shared_http_client,
)
from shared.adapters.google.quota import QuotaGuard
from shared.adapters.google.tokens import TokenCache
from shared.config import Settings
from shared.domain.principals import Org, Principal, PrincipalKind
from shared.errors import InvalidInput, NotImplementedCapability
from shared.ports.clock import Clock

SECRET_TTL = 600.0  # seconds a key read from Secret Manager is used before it is read again


class GoogleClients:
    """Makes ``GoogleCalendar`` / ``GoogleGmail`` for (credential, subject); all share one stack.

    ``transport`` mounts an in-process app (the emulator) instead of the network; ``sleep``
    replaces ``time.sleep`` for quota waits and retry backoff (tests record the delays).
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] | None = None,
        counter: CallCounter | None = None,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        user_burst: int | None = None,
    ) -> None:
        self.settings = settings
        self.endpoints = GoogleEndpoints.from_settings(settings)
        if http_client is None:
            http_client = new_http_client(transport) if transport is not None else shared_http_client()
        self.http_client = http_client
        self.counter = counter or CallCounter()
        sleeper = sleep or time.sleep
        self.tokens = TokenCache(clock, http_client, self.counter, token_uri=self.endpoints.token)
        self.quota = QuotaGuard(
            clock,
            sleeper,
            per_user_per_minute=settings.user_quota_per_minute,
            per_process_per_second=settings.process_quota_per_second,
            user_burst=user_burst,
        )
        self.http = GoogleHttp(http_client, self.tokens, self.counter, self.quota, clock, sleeper, policy, rng)

    def calendar(self, credential: Credential, subject: str) -> GoogleCalendar:
        """Calendar v3 acting as ``subject`` (scope ``calendar``)."""
        return GoogleCalendar(self.http, Delegation(credential, subject, (CALENDAR_SCOPE,)), self.endpoints.calendar)

    def gmail(self, credential: Credential, subject: str) -> GoogleGmail:
        """Gmail v1 settings acting as ``subject`` (scope ``gmail.settings.basic``)."""
        return GoogleGmail(self.http, Delegation(credential, subject, (GMAIL_SCOPE,)), self.endpoints.gmail)

    def close(self) -> None:
        """Close the HTTP client unless it is the process-wide one."""
        if self.http_client is not shared_http_client():
            self.http_client.close()


class GoogleCalendarDirectory:
    """An org's credential, acting as the principal (or the room delegate)."""

    def __init__(
        self,
        clients: GoogleClients,
        stored_key: Callable[[str], str | None],
        secret: Callable[[str], str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``stored_key(org_id)`` opens an org's stored key file JSON (``Stores.service_account_key``);
        ``secret(version)`` reads one from Secret Manager for ``secret`` credentials, re-read every
        ``SECRET_TTL`` seconds on ``clock`` so a new version (``latest``) is picked up."""
        self._clients = clients
        self._stored_key = stored_key
        self._secret = secret
        self._clock = clock
        self._lock = threading.Lock()
        self._credentials: dict[tuple[str, str], tuple[Credential, float | None]] = {}

    def credential(self, org: Org) -> Credential:
        """The org's service-account credential (parsed once per process; a secret's re-read after a while)."""
        ref = org.credential
        key = (org.id, f"{ref.kind}:{ref.reference}:{ref.client_id}")
        now = self._clock.monotonic() if self._clock is not None else 0.0
        with self._lock:
            cached = self._credentials.get(key)
        if cached is not None and (cached[1] is None or now < cached[1]):
            return cached[0]
        expires: float | None = None
        if ref.kind == "stored":
            text = self._stored_key(org.id)
            if not text:
                raise InvalidInput(f"org {org.id} has no stored service-account key")
            made: Credential = ServiceAccountKey.from_json(text)
        elif ref.kind == "keyless":
            if not ref.client_id:
                raise InvalidInput(f"org {org.id}: a keyless credential needs the service account's client id")
            made = KeylessCredential(ref.reference, ref.client_id)
        elif ref.kind == "secret" and self._secret is not None:
            made = ServiceAccountKey.from_json(self._secret(ref.reference))
            expires = now + SECRET_TTL if self._clock is not None else None
        else:
            raise NotImplementedCapability(f"{ref.kind} credentials")
        with self._lock:
            self._credentials[key] = (made, expires)
        return made

    def subject_for(self, org: Org, principal: Principal) -> str:
        """Whom to act as: the person, or for a room the org's room delegate."""
        if principal.kind is PrincipalKind.ROOM:
            if not org.room_delegate:
                raise InvalidInput(f"org {org.id} needs a room delegate to read room calendars")
            return org.room_delegate
        return principal.email

    def calendar_for(self, org: Org, principal: Principal) -> GoogleCalendar:
        """The calendar client acting for ``principal``."""
        return self._clients.calendar(self.credential(org), self.subject_for(org, principal))
