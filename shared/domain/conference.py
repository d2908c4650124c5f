"""Meetings from the conferencing add-on, and which event a meeting belongs to.

Calendar's conferencing add-on (``addon/``) asks the service for an event's meeting and Calendar
stores the answer as the event's ``conferenceData``: ``conferenceSolution.key.type`` ``addOn``,
the service's ``conferenceId``, entry points, notes and the parameters this module names
(``hcMeetingRef``, ``hcProvider``, ``hcSolution``, ``hcEventId``), which is how the service
recognises its own conference on a synced event (:func:`service_conference`).

Both paths to a meeting, the keyword and the add-on, share the providers and one meeting identity,
the provider's reference (``pmr:...``, ``space:...``, ``webex:...``). A reference is only ever
reused or released by the event it was made for: the private properties the rewrite writes name
that event (``hcEventId``), and so do the add-on's parameters. A duplicated event that carries a
copy of another event's properties or conference owns neither (:func:`owns_properties`,
:func:`owns_conference`), so it gets a meeting of its own, except for a personal room, which is
the organiser's whichever event names it. Properties written before ``hcEventId`` existed are
taken as the event's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import msgspec

from shared.domain.events import AttachedConference, CalendarEvent
from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.i18n import gettext_for

ADDON_TYPE = "addOn"
SOLUTIONS: Mapping[str, str] = MappingProxyType({"webex_personal_room": "personal_room", "webex_space": "space"})
"""The add-on's conference solution ids and the keyword action each one stands for."""
REF_PARAM, PROVIDER_PARAM, SOLUTION_PARAM, EVENT_PARAM = "hcMeetingRef", "hcProvider", "hcSolution", "hcEventId"
EVENT_PROPERTY = "hcEventId"
"""Private property: the event the service's other private properties were written for."""
CONFERENCE_PROPERTY = "hcConference"
"""Private property: the add-on conference (its meeting reference) the rewrite has brought in line."""
REF_PROPERTY, PROVIDER_PROPERTY = "hcMeetingRef", "hcProvider"
"""Private properties: the provider and the reference of the meeting the rewrite wrote."""
PERSONAL_ROOM = "personal_room"
PLACEHOLDER = timedelta(hours=1)


def service_conference(event: CalendarEvent) -> AttachedConference | None:
    """The add-on conference this service made that ``event`` carries, or None (no conference, another one)."""
    conference = event.conference
    if conference is None or conference.solution_type != ADDON_TYPE:
        return None
    if not conference.parameters.get(REF_PARAM) or not conference.parameters.get(PROVIDER_PARAM):
        return None
    return conference


def _names(owner: str | None, event: CalendarEvent) -> bool:
    return owner is not None and owner in (event.id, event.recurring_event_id)


def owns_properties(event: CalendarEvent) -> bool:
    """Whether the service's private properties on ``event`` were written for it (or its series)."""
    owner = event.private_properties.get(EVENT_PROPERTY)
    return owner is None or _names(owner, event)


def owns_conference(event: CalendarEvent, conference: AttachedConference) -> bool:
    """Whether the service's add-on conference on ``event`` was made for it (or its series)."""
    return _names(conference.parameters.get(EVENT_PARAM), event)


def needs_rewrite(meeting: Meeting) -> bool:
    """Whether an organiser's meeting needs the rewrite: its keyword or its add-on conference changed."""
    keyword_changed = (meeting.keyword or None) != (meeting.rewrite_state or None)
    return keyword_changed or (meeting.conference_ref or None) != (meeting.conference_state or None)


def carries_service_meeting(meeting: Meeting) -> bool:
    """Whether a stored meeting held a meeting of the service (a keyword's block or the add-on's conference)."""
    return bool(meeting.rewrite_state or meeting.conference_ref or meeting.conference_state)


def fingerprint(meeting: Meeting) -> str:
    """What a provider's scheduled meeting depends on (title, times, zone), hashed."""
    text = "|".join((meeting.title, meeting.start.isoformat(), meeting.end.isoformat(), meeting.time_zone or ""))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def placeholder(org_id: str, principal_id: str, event_id: str, now: datetime) -> Meeting:
    """The meeting a provider is asked for before Calendar has saved the event: an hour from now.

    A provider that schedules (Webex Meetings) gets the real title and times when the event syncs.
    """
    return Meeting(org_id=org_id, principal_id=principal_id, event_id=event_id, start=now, end=now + PLACEHOLDER)


class MeetingRecord(msgspec.Struct, frozen=True):
    """The meeting the service holds for one calendar's event, kept with its decisions.

    ``source`` is ``keyword`` or ``addon``; ``state`` is ``reserved`` (made by the add-on before the
    event was seen), ``active`` or ``released``.
    """

    details: JoinDetails
    source: str
    state: str = "active"
    solution: str | None = None
    fingerprint: str | None = None
    made_at: datetime | None = None

    @property
    def live(self) -> bool:
        """True unless the meeting was released."""
        return self.state != "released"


class HeldMeeting(msgspec.Struct, frozen=True):
    """A stored meeting with the calendar (principal) and event it belongs to."""

    principal_id: str
    event_id: str
    record: MeetingRecord


class ConferenceRequest(msgspec.Struct, frozen=True):
    """An add-on request id and the body it came with (``calendar|event|solution``)."""

    request_id: str
    body: str


def entry_points(details: JoinDetails) -> list[dict[str, Any]]:
    """The conference's entry points (the add-on contract's form): the video link, then the SIP address."""
    video: dict[str, Any] = {"type": "video", "uri": details.join_url}
    if details.meeting_number:
        video["meeting_code"] = details.meeting_number.replace(" ", "")
    points = [video]
    if details.sip_uri:
        points.append({"type": "sip", "uri": details.sip_uri})
    return points


def notes(details: JoinDetails, locale: str | None) -> str:
    """The conference's notes, in the organiser's language (the join block's own strings)."""
    tr = gettext_for(locale).gettext
    lines = [tr("Meeting space") if details.space else tr("Join the meeting")]
    if details.meeting_number:
        lines.append(f"{tr('Meeting number')}: {details.meeting_number}")
    return "\n".join(lines)[:2048]


def parameters(details: JoinDetails, solution: str, event_id: str) -> dict[str, str]:
    """The conference parameters by which the service recognises its conference when the event syncs."""
    return {
        REF_PARAM: details.reference,
        PROVIDER_PARAM: details.provider,
        SOLUTION_PARAM: solution,
        EVENT_PARAM: event_id,
    }


class OwnedMeetings(msgspec.Struct, frozen=True):
    """The provider meetings an event holds that are its own to reuse or release: (provider, reference)."""

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, event: CalendarEvent, props: Mapping[str, str]) -> OwnedMeetings:
        """What the event's private properties and its add-on conference hold, where they were made for it."""
        found: list[tuple[str, str]] = []
        if owns_properties(event) and props.get(REF_PROPERTY) and props.get(PROVIDER_PROPERTY):
            found.append((props[PROVIDER_PROPERTY], props[REF_PROPERTY]))
        conference = service_conference(event)
        if conference is not None and owns_conference(event, conference):
            item = (conference.parameters[PROVIDER_PARAM], conference.parameters[REF_PARAM])
            if item not in found:
                found.append(item)
        return cls(tuple(found))

    def ref_for(self, provider: str) -> str | None:
        """The first owned reference of ``provider``, or None."""
        return next((ref for name, ref in self.items if name == provider), None)

    def others(self, keep: str | None) -> tuple[tuple[str, str], ...]:
        """Every owned meeting except the reference ``keep``."""
        return tuple(item for item in self.items if item[1] != keep)
