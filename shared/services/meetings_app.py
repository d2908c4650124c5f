"""The app API's use cases: my meetings, scheduling, RSVP, availability, delegates, presence.

Reads come from the encrypted store (the sync pipeline keeps it current); writes go to Google
Calendar acting as the caller (``events.insert`` / ``events.quickAdd`` / ``events.delete`` /
``events.patch`` of the caller's own attendee entry / ``freebusy.query`` / ``acl.insert`` /
``acl.delete``) and the answer is written back to the store at once, so the caller's next read
shows it before the push notification's sync lands. A caller only ever reaches their own
calendar, people of their own org, and (a device) its own room.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime, time, timedelta

import msgspec

from shared.clock import utc
from shared.clock import zone_of as zone_of  # the API routes read the caller's zone through here
from shared.domain.events import CalendarEvent
from shared.domain.meetings import Meeting, ResponseStatus
from shared.domain.presence import Presence
from shared.domain.principals import PrincipalKind
from shared.domain.privacy import for_viewer
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.logs import ctx, get_logger
from shared.ports.calendar import Busy, CallerCalendar, NewEvent, Sharing
from shared.ports.clock import Clock
from shared.ports.stores import MeetingRepository, PresenceRepository, PrincipalRepository
from shared.services.auth import Caller
from shared.services.join_buttons import eligible, lead_for

log = get_logger(__name__)
MAX_RANGE = timedelta(days=62)
MAX_PEOPLE = 50


class MeetingItem(msgspec.Struct, frozen=True):
    """A meeting as the app shows it: with the join-button state for its viewer."""

    meeting: Meeting
    join_button: bool
    join_at: datetime
    my_response: ResponseStatus | None
    details_hidden: bool = False


class NewMeeting(msgspec.Struct, frozen=True):
    """What ``schedule`` needs: a one-line text for quickAdd, or the fields for events.insert."""

    text: str | None = None
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    time_zone: str | None = None
    attendees: tuple[str, ...] = ()
    location: str = ""
    keyword: str | None = None
    description: str = ""


class MeetingsApp:
    """Use cases behind the app API routes."""

    def __init__(
        self,
        principals: PrincipalRepository,
        meetings: MeetingRepository,
        presence: PresenceRepository,
        calendar: CallerCalendar,
        clock: Clock,
    ) -> None:
        self._principals, self._meetings, self._presence = principals, meetings, presence
        self._calendar, self._clock = calendar, clock

    @property
    def sharing(self) -> Sharing:
        """The sharing role of the gateway (the delegates list reads it)."""
        return self._calendar

    # ------------------------------------------------------------ reads

    def day_range(
        self, caller: Caller, start: datetime | None, end: datetime | None, days: int = 1
    ) -> tuple[datetime, datetime]:
        """The asked range, defaulting to ``days`` days from today in the caller's zone (the service's clock)."""
        zone = zone_of(caller.principal.time_zone)
        if start is None:
            today = self._clock.now().astimezone(zone).date()
            start = datetime.combine(today, time(0), tzinfo=zone)
        if end is None:
            local = start.astimezone(zone)
            end = datetime.combine(local.date() + timedelta(days=days), time(0), tzinfo=zone)
        start, end = utc(start), utc(end)
        if end <= start:
            raise InvalidInput("to must be after from")
        if end - start > MAX_RANGE:
            raise InvalidInput("the range may span at most 62 days")
        return start, end

    def item(self, caller: Caller, meeting: Meeting) -> MeetingItem:
        """Wrap a meeting with the join-button state at the current time, private details hidden."""
        me = caller.principal.email.lower()
        mine = next((a.response_status for a in meeting.attendees if a.email.lower() == me), None)
        shown, hidden = for_viewer(meeting, None if caller.is_device else me, device=caller.is_device)
        return MeetingItem(
            shown,
            eligible(meeting, caller.org, caller.principal, self._clock.now()),
            meeting.start - lead_for(caller.org, caller.principal),
            mine,
            hidden,
        )

    def list_meetings(
        self, caller: Caller, start: datetime | None, end: datetime | None, *, days: int = 1
    ) -> tuple[datetime, datetime, list[MeetingItem]]:
        """The caller's (or the device's room's) meetings overlapping the range."""
        start, end = self.day_range(caller, start, end, days)
        now = self._clock.now()
        meetings = self._meetings.list_meetings(caller.org.id, caller.principal.id, start, end, now)
        return start, end, [self.item(caller, m) for m in meetings if not m.cancelled]

    def get_meeting(self, caller: Caller, event_id: str) -> MeetingItem:
        """One of the caller's meetings; NotFound for anything else."""
        return self.item(caller, self._mine(caller, event_id))

    def _mine(self, caller: Caller, event_id: str) -> Meeting:
        if not event_id or len(event_id) > 1024:
            raise NotFound("no such meeting")
        meeting = self._meetings.get_meeting(caller.org.id, caller.principal.id, event_id, self._clock.now())
        if meeting is None or meeting.cancelled:
            raise NotFound("no such meeting")
        return meeting

    def presence(self, caller: Caller, email: str | None = None) -> Presence:
        """The caller's presence, or that of a person of the caller's org."""
        principal = caller.principal
        if email is not None:
            found = self._principals.find_principal(caller.org.id, email.lower()) if caller.org.owns(email) else None
            if found is None or not found.active or found.kind is not PrincipalKind.PERSON:
                raise NotFound("no such person in your organisation")
            principal = found
        current = self._presence.get_presence(caller.org.id, principal.id)
        return current or Presence(org_id=caller.org.id, principal_id=principal.id)

    # ------------------------------------------------------------ writes

    def _store(self, caller: Caller, event: CalendarEvent) -> MeetingItem:
        # imported on first use: no list or stream request needs the normaliser
        from shared.domain.normalise import meeting_from_event

        meeting = meeting_from_event(caller.org.id, caller.principal.id, event, keywords=caller.org.keywords)
        self._meetings.put_meetings([meeting], self._clock.now())
        return self.item(caller, meeting)

    def schedule(self, caller: Caller, new: NewMeeting) -> MeetingItem:
        """Create a meeting on the caller's calendar (quickAdd for a line of text)."""
        org, me = caller.org, caller.principal
        if new.text is not None:
            created = self._calendar.quick_add(org, me, new.text)
        else:
            if new.start is None or new.end is None or new.end <= new.start:
                raise InvalidInput("a meeting needs start and end, end after start")
            location = new.location
            if new.keyword:
                if new.keyword.lower() not in caller.org.keywords:
                    raise InvalidInput(f"unknown keyword; use one of {', '.join(sorted(caller.org.keywords))}")
                location = f"{location} {new.keyword.lower()}".strip()
            tz = zone_of(new.time_zone or caller.principal.time_zone).key
            event = NewEvent(new.title, new.description, location, new.start, new.end, tz, new.attendees)
            created = self._calendar.insert_event(org, me, event)
        item = self._store(caller, created)
        log.info(
            "meeting scheduled",
            extra=ctx(org=caller.org.id, principal=caller.principal.id, quick_add=new.text is not None),
        )
        return item

    def delete(self, caller: Caller, event_id: str) -> None:
        """Delete one of the caller's meetings (for a guest: remove it from their calendar)."""
        self._mine(caller, event_id)
        with contextlib.suppress(NotFound):  # already gone at Google: forget it here too
            self._calendar.delete_event(caller.org, caller.principal, event_id)
        self._meetings.delete_meetings(caller.org.id, caller.principal.id, [event_id])

    def rsvp(self, caller: Caller, event_id: str, response: ResponseStatus) -> MeetingItem:
        """Answer an invitation: the caller's own attendee entry (If-Match, one retry on 412)."""
        self._mine(caller, event_id)
        return self._store(caller, self._calendar.respond(caller.org, caller.principal, event_id, response))

    def availability(self, caller: Caller, emails: Sequence[str], start: datetime, end: datetime) -> Busy:
        """Busy intervals of people of the caller's org (``freebusy.query``)."""
        start, end = self.day_range(caller, start, end)
        people = list(dict.fromkeys(e.lower() for e in emails))
        if not people or len(people) > MAX_PEOPLE:
            raise InvalidInput(f"ask for 1 to {MAX_PEOPLE} people")
        outside = [e for e in people if not caller.org.owns(e)]
        if outside:
            raise Forbidden("availability is only for people of your organisation", reason="outside_org")
        return self._calendar.free_busy(caller.org, caller.principal, people, start, end)

    def add_delegate(self, caller: Caller, email: str, role: str) -> str:
        """Grant a person of the caller's org access to the caller's calendar; return the rule id."""
        email = email.lower()
        if not caller.org.owns(email):
            raise Forbidden("delegates must belong to your organisation", reason="outside_org")
        if email == caller.principal.email.lower():
            raise InvalidInput("you cannot be your own delegate")
        return self._calendar.grant_access(caller.org, caller.principal, email, role)

    def remove_delegate(self, caller: Caller, email: str) -> None:
        """Revoke a delegate's access (``acl.delete`` of the rule ``user:<email>``)."""
        if not caller.org.owns(email):
            raise NotFound("no such delegate")
        self._calendar.revoke_access(caller.org, caller.principal, email)
