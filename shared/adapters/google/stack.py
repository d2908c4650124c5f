"""``GoogleStack``: the Google adapters (clients, directory, workspace), imported and built on first use.

The composition root wires this one object as the ``PrincipalValidator`` and ``VacationReader``
ports and under the Calendar gateway (``calendar_for``); consumers that need the pooled HTTP
client take :meth:`GoogleStack.client`, a callable, instead of the client. A function that never
calls Google (the push webhook, the APIs' first answers, the join-button dispatch) then never
imports httpx, google-auth or cryptography's X.509 code and never builds an HTTP client: together
those cost more at a cold start than the whole trivial function does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.adapters.google.lazy import Lazy

if TYPE_CHECKING:
    import httpx

    from shared.adapters.google.calendar import GoogleCalendar
    from shared.adapters.google.clients import GoogleCalendarDirectory, GoogleClients
    from shared.adapters.google.counter import CallCounter
    from shared.adapters.google.http import GoogleHttp
    from shared.adapters.google.workspace import GoogleWorkspace
    from shared.config import Settings
    from shared.domain.principals import Org, Principal
    from shared.domain.vacation import VacationResponder
    from shared.ports.clock import Clock
    from shared.ports.directory import ValidationResult

_Parts = tuple["GoogleClients", "GoogleCalendarDirectory", "GoogleWorkspace"]


class GoogleStack:
    """Calendar, Gmail and directory operations for every org, over one client stack built on first use."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        stored_key: Callable[[str], str | None],
        *,
        transport: httpx.BaseTransport | None = None,
        on_rate_limited: Callable[[str, int], None] | None = None,
    ) -> None:
        """``stored_key(org_id)`` opens an org's stored key file JSON; ``transport`` mounts an emulator;
        ``on_rate_limited(subject, status)`` is installed on the HTTP layer when the stack is built."""
        self._settings, self._clock, self._stored_key = settings, clock, stored_key
        self._transport, self._on_rate_limited = transport, on_rate_limited
        self._parts: Lazy[_Parts] = Lazy(self._build)

    @property
    def _built(self) -> _Parts:
        return self._parts.get()

    def _build(self) -> _Parts:
        from shared.adapters.google.clients import GoogleCalendarDirectory, GoogleClients
        from shared.adapters.google.secrets import SecretManagerSecrets
        from shared.adapters.google.workspace import GoogleWorkspace

        clients = GoogleClients(self._settings, self._clock, transport=self._transport)
        clients.http.on_rate_limited = self._on_rate_limited
        secrets = SecretManagerSecrets(endpoint=self._settings.secret_manager_endpoint)
        directory = GoogleCalendarDirectory(clients, self._stored_key, secrets.access, self._clock)
        return clients, directory, GoogleWorkspace(clients, directory, self._clock)

    @property
    def built(self) -> bool:
        """Whether anything has called Google (or asked for the clients) yet."""
        return self._parts.value is not None

    @property
    def clients(self) -> GoogleClients:
        """The shared client stack (HTTP client, token cache, quota guard, call counter)."""
        return self._built[0]

    @property
    def http(self) -> GoogleHttp:
        """The stack's HTTP layer (retry policy, rate-limit hook, counting)."""
        return self.clients.http

    @property
    def http_client(self) -> httpx.Client:
        """The pooled HTTP client every Google call (and the ID-token verifiers, and Webex) use."""
        return self.clients.http_client

    def client(self) -> httpx.Client:
        """:attr:`http_client` as a callable, for consumers that must not build the stack before they call."""
        return self.clients.http_client

    @property
    def counter(self) -> CallCounter:
        """The Google API calls made so far, by operation."""
        return self.clients.counter

    def calendar_for(self, org: Org, principal: Principal) -> GoogleCalendar:
        """The calendar client acting for ``principal`` (what the gateway calls through)."""
        return self._built[1].calendar_for(org, principal)

    def vacation_for(self, org: Org, principal: Principal) -> VacationResponder:
        """The ``VacationReader`` port: the principal's Gmail vacation responder."""
        return self._built[2].vacation_for(org, principal)

    def validate(self, org: Org, principal: Principal) -> ValidationResult:
        """The ``PrincipalValidator`` port: whether Google lets us act for ``principal``."""
        return self._built[2].validate(org, principal)

    def forget_tokens(self, org: Org, principal: Principal) -> None:
        """Drop the cached access tokens of the subject acting for ``principal`` (nothing cached before the build)."""
        parts = self._parts.value
        if parts is not None:
            parts[2].forget_tokens(org, principal)
