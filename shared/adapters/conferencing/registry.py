"""Picks the conferencing provider for an org and a keyword action."""

from __future__ import annotations

from shared.adapters.conferencing.webex_api import WebexApiProvider
from shared.adapters.conferencing.webex_rooms import PersonalRoomProvider, SpaceProvider
from shared.domain.principals import Org
from shared.ports import ConferencingProvider


class Providers:
    """The providers of this process: personal rooms, spaces, and the Webex REST API."""

    def __init__(self, webex: WebexApiProvider | None = None) -> None:
        self._personal, self._space, self._webex = PersonalRoomProvider(), SpaceProvider(), webex

    def __call__(self, org: Org, action: str) -> ConferencingProvider:
        """The provider for ``action`` under the org's choice (``action`` may also name a provider)."""
        wants_webex = action == WebexApiProvider.name or (org.provider == WebexApiProvider.name and action != "space")
        if wants_webex and self._webex is not None:
            return self._webex
        if action in ("space", SpaceProvider.name) or org.provider == "space":
            return self._space
        return self._personal

    def named(self, org: Org, name: str) -> ConferencingProvider:
        """The provider called ``name`` (a stored meeting's), whatever the org's choice is today."""
        for provider in (self._personal, self._space, self._webex):
            if provider is not None and provider.name == name:
                return provider
        return self(org, name)
