"""Normalisation: one Google Calendar event (``CalendarEvent``) to the ``Meeting`` the service keeps.

Pure: the title, UTC bounds (the event's own zone kept beside them), the all-day flag, the
organiser and invitees with their answers, rooms, the agenda as text without our join block,
the ranked join targets, the configured keyword in the location, the rewrite state recorded
in the private extended properties (only when they were written for this event: a duplicated
event's copies count as none), the service's add-on conference, and the event's visibility
(private events: see ``privacy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from shared.domain.agenda import agenda_text
from shared.domain.conference import CONFERENCE_PROPERTY, REF_PARAM, owns_properties, service_conference
from shared.domain.events import CalendarEvent, EventAttendee
from shared.domain.joinlinks import targets_from_event
from shared.domain.keywords import find_keyword
from shared.domain.meetings import Attendee, Meeting, MeetingStatus, ResponseStatus
from shared.errors import InvalidInput

REWRITE_PROPERTY = "hcRewrite"
ROOM_DOMAINS: tuple[str, ...] = ("resource.calendar.google.com",)


_RESPONSES = {status.value: status for status in ResponseStatus}
_STATUSES = {status.value: status for status in MeetingStatus}


@lru_cache(maxsize=64)
def _lower_domains(room_domains: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(d.lower() for d in room_domains)


def _is_room(attendee: EventAttendee, room_domains: tuple[str, ...]) -> bool:
    if attendee.resource:
        return True
    domain = attendee.email.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in _lower_domains(room_domains))


@lru_cache(maxsize=4096)
def attendee_from_event(attendee: EventAttendee, room_domains: tuple[str, ...] = ROOM_DOMAINS) -> Attendee:
    """Map one event attendee onto an ``Attendee``, marking rooms by flag or by address domain.

    Both are frozen values and the same people are invited to many events (every instance of a
    series), so each distinct attendee entry is mapped once.
    """
    return Attendee(
        email=attendee.email,
        response_status=_RESPONSES.get(attendee.response_status, ResponseStatus.NEEDS_ACTION),
        is_room=_is_room(attendee, room_domains),
        is_organizer=attendee.organizer,
        optional=attendee.optional,
        display_name=attendee.display_name,
    )


def meeting_from_event(
    org_id: str,
    principal_id: str,
    event: CalendarEvent,
    *,
    keywords: Mapping[str, str],
    room_domains: tuple[str, ...] = ROOM_DOMAINS,
) -> Meeting:
    """Normalise ``event`` on ``principal_id``'s calendar into a ``Meeting``.

    Raises ``InvalidInput`` when the event has no start or end, a naive time, or ends before it
    starts (a deleted event from an incremental sync carries only its id: delete, don't normalise).
    """
    if event.start is None or event.end is None:
        raise InvalidInput(f"event {event.id} has no start or end")
    props = event.private_properties if owns_properties(event) else {}
    conference = service_conference(event)
    try:
        return Meeting(
            org_id=org_id,
            principal_id=principal_id,
            event_id=event.id,
            start=event.start,
            end=event.end,
            title=event.summary,
            time_zone=event.time_zone,
            all_day=event.all_day,
            status=_STATUSES.get(event.status, MeetingStatus.CONFIRMED),
            organizer=event.organizer_email,
            attendees=tuple(attendee_from_event(a, room_domains) for a in event.attendees),
            location=event.location,
            agenda=agenda_text(event.description),
            join_targets=targets_from_event(event),
            series_id=event.recurring_event_id,
            ical_uid=event.ical_uid,
            etag=event.etag,
            updated=event.updated,
            is_organizer_copy=event.organizer_self,
            keyword=find_keyword(event.location, keywords),
            rewrite_state=props.get(REWRITE_PROPERTY),
            conference_ref=conference.parameters[REF_PARAM] if conference is not None else None,
            conference_state=props.get(CONFERENCE_PROPERTY),
            event_type=event.event_type,
            working_location=event.working_location,
            visibility=event.visibility,
        )
    except ValueError as exc:
        raise InvalidInput(f"event {event.id}: {exc}") from exc
