"""Providers that need no API call: a Webex personal room, and a per-meeting space.

A personal room's link, video address and number derive from the organiser's address and
the org's Webex site. A space gets a stable id from the org, organiser and event (or series),
so a re-run gives the same link.
"""

from __future__ import annotations

import hashlib

from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal


def _room_name(email: str) -> str:
    local = email.split("@", 1)[0].lower()
    return "".join(c if c.isalnum() else "." for c in local).strip(".") or "room"


def _number(seed: str) -> str:
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 9_000_000_000 + 1_000_000_000)
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


class PersonalRoomProvider:
    """The organiser's Webex personal room on the org's site."""

    name = "personal_room"

    def join_details(
        self, org: Org, organizer: Principal, meeting: Meeting, action: str, existing_ref: str | None
    ) -> JoinDetails:
        """Join details of the organiser's personal room."""
        room = _room_name(organizer.email)
        return JoinDetails(
            provider=self.name,
            reference=f"pmr:{room}",
            join_url=f"https://{org.webex_site}/meet/{room}",
            sip_uri=f"sip:{room}@{org.webex_site}",
            meeting_number=_number(f"{org.id}|{room}"),
        )

    def release(self, org: Org, organizer: Principal, meeting_ref: str) -> None:
        """A personal room is never released."""


class SpaceProvider:
    """A meeting space with its own stable id per event or series."""

    name = "space"

    def join_details(
        self, org: Org, organizer: Principal, meeting: Meeting, action: str, existing_ref: str | None
    ) -> JoinDetails:
        """Join details of the meeting's own space (the same on every re-run)."""
        anchor = meeting.series_id or meeting.event_id
        space = (
            existing_ref.removeprefix("space:")
            if existing_ref and existing_ref.startswith("space:")
            else (hashlib.sha256(f"{org.id}|{organizer.id}|{anchor}".encode()).hexdigest()[:20])
        )
        return JoinDetails(
            provider=self.name,
            reference=f"space:{space}",
            join_url=f"https://{org.webex_site}/join/{space}",
            sip_uri=f"sip:{space}@{org.webex_site}",
            meeting_number=_number(f"{org.id}|{space}"),
            space=True,
        )

    def release(self, org: Org, organizer: Principal, meeting_ref: str) -> None:
        """Spaces derive from the event; nothing to release on the provider side."""
