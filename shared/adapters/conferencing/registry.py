"""Picks the conferencing provider for an org and a keyword action."""

from __future__ import annotations

from shared.adapters.conferencing.webex_rooms import PersonalRoomProvider, SpaceProvider
from shared.domain.principals import Org
from shared.ports import ConferencingProvider

_PERSONAL = PersonalRoomProvider()
_SPACE = SpaceProvider()


def provider_for(org: Org, action: str) -> ConferencingProvider:
    """The provider for ``action`` (``personal_room`` or ``space``); an org may force spaces for every keyword."""
    if action == "space" or org.provider == "space":
        return _SPACE
    return _PERSONAL
