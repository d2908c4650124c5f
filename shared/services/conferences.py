"""The conferencing add-on's use case: get or create the meeting of one calendar's event for a solution.

Calendar calls the add-on when a user picks one of its solutions, the add-on calls
``POST /v1/conferences`` and Calendar stores the answer as the event's conference. The meeting
comes from the providers the keyword uses, and the event's current meeting of that kind is reused
whichever path made it: the add-on's conference, the keyword's block (its private properties) or
a meeting the add-on reserved before Calendar saved the event (the per-meeting record, keyed by
calendar and event id, which the rewrite matches when the event syncs). A replayed request
answers the event's current meeting for that solution (made again once released) without a
provider call; a request id that comes back with another body is a conflict.

Reservations Calendar never saved (the user discarded the event) are released by :meth:`sweep`,
which the maintenance job runs: after a day, a reservation whose event does not hold it is
released at the provider.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec

from shared.domain import conference as conf
from shared.domain.conference import ConferenceRequest, MeetingRecord, OwnedMeetings
from shared.domain.decisions import ADDON_CONFERENCE, ADDON_CONFERENCE_UNUSED
from shared.domain.events import CalendarEvent
from shared.domain.joindetails import JoinDetails
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal, PrincipalKind
from shared.errors import (
    Conflict,
    CredentialsUnavailable,
    DelegationDenied,
    Forbidden,
    HybridCalendarError,
    InvalidInput,
    NotFound,
    PermanentError,
    Unauthenticated,
)
from shared.logs import ctx, get_logger
from shared.ports import ConferencingProviders, MeetingRecordStore
from shared.ports.calendar import JoinDetailEditor
from shared.ports.clock import Clock
from shared.ports.stores import OrgRepository, PrincipalRepository

log = get_logger(__name__)
UNUSED_AFTER = timedelta(days=1)


class SolutionNotOffered(Conflict):
    """The org does not offer this kind of meeting (or its provider refuses to make one)."""

    code = "solution_not_offered"


class NotActivated(Forbidden):
    """The caller (or their calendar, or their org) is not active for the service."""

    code = "not_activated"

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="not_activated")


class ConferenceAnswer(msgspec.Struct, frozen=True):
    """A conference for Calendar: the meeting, as the add-on contract describes it."""

    conference_id: str
    solution: str
    created: bool
    entry_points: list[dict[str, Any]] = msgspec.field(default_factory=list)
    notes: str = ""
    parameters: dict[str, str] = msgspec.field(default_factory=dict)


class ConferenceService:
    """Gets or creates an event's meeting for the add-on, and sweeps reservations never saved."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        calendar: JoinDetailEditor,
        providers: ConferencingProviders,
        clock: Clock,
        records: MeetingRecordStore,
    ) -> None:
        self._orgs, self._principals = orgs, principals
        self._events, self._providers = calendar, providers
        self._clock, self._records = clock, records

    def conference(
        self, org: Org, caller: Principal, calendar_id: str, event_id: str, solution: str, request_id: str
    ) -> ConferenceAnswer:
        """The meeting of ``event_id`` on ``calendar_id`` for ``solution``, made if the event has none."""
        principal = self._calendar(org, caller, calendar_id)
        request = ConferenceRequest(request_id, f"{principal.email}|{event_id}|{solution}")
        if self._records.conflicting(org.id, principal.id, event_id, request):
            raise Conflict("this request id was used for another event or solution")
        action = conf.SOLUTIONS[solution]
        if action not in org.keywords.values():
            raise SolutionNotOffered(f"this organisation does not offer {solution}")
        event = self._event(org, principal, event_id)
        provider = self._providers(org, action)
        held = self._records.get(org.id, principal.id, event_id)
        now = self._clock.now()
        meeting = self._meeting(org, principal, event, event_id)
        ref, details = self._current(event, held, provider.name)
        if details is None:
            try:
                details = provider.join_details(org, principal, meeting, action, ref)
            except PermanentError as exc:
                log.warning("provider refused", extra=ctx(org=org.id, provider=provider.name, error_code=exc.code))
                raise SolutionNotOffered(f"the provider refused to make the meeting ({exc.code})") from None
        same = held is not None and held.live and held.details.reference == details.reference
        state = held.state if same and held is not None else "reserved"
        created = not same and details.reference != ref
        record = MeetingRecord(
            details, "addon", state, solution, conf.fingerprint(meeting), made_at=None if same else now
        )
        keep = meeting.expire_at if event is not None else None
        outcome = "added" if created else "unchanged"
        self._records.decide(
            org.id,
            principal.id,
            event_id,
            outcome,
            ADDON_CONFERENCE,
            now,
            meeting=record,
            keep_until=keep,
            request=request,
        )
        owner = (event.recurring_event_id or event.id) if event is not None else event_id
        log.info("conference answered", extra=ctx(org=org.id, principal=principal.id, event=event_id, outcome=outcome))
        return ConferenceAnswer(
            conference_id=details.reference,
            solution=solution,
            created=created,
            entry_points=conf.entry_points(details),
            notes=conf.notes(details, principal.locale or org.default_locale),
            parameters=conf.parameters(details, solution, owner),
        )

    def _calendar(self, org: Org, caller: Principal, calendar_id: str) -> Principal:
        email = calendar_id.strip().lower()
        if not org.owns(email):
            raise NotFound("no calendar of your organisation has this id")
        principal = self._principals.find_principal(org.id, email)
        if principal is None or not principal.active or principal.kind is not PrincipalKind.PERSON:
            raise NotFound("the service does not serve this calendar")
        if principal.id != caller.id:
            raise Forbidden("the add-on makes conferences on your own calendar only", reason="other_calendar")
        return principal

    def _event(self, org: Org, principal: Principal, event_id: str) -> CalendarEvent | None:
        """The event, or None when Google does not know it yet (Calendar has not saved it)."""
        try:
            event = self._events.read_event(org, principal, principal.email, event_id)
        except NotFound:
            return None
        except (DelegationDenied, CredentialsUnavailable, Unauthenticated):
            raise NotActivated("the service cannot reach your calendar: ask your admin to revalidate you") from None
        if event.cancelled:
            raise NotFound("the event was deleted")
        if event.organizer_email and not org.owns(event.organizer_email):
            raise NotFound("the event belongs to another organisation")
        if not event.organizer_self:
            raise Forbidden("only the organiser's event gets a conference", reason="not_organiser")
        return event

    def _meeting(self, org: Org, principal: Principal, event: CalendarEvent | None, event_id: str) -> Meeting:
        if event is not None:
            # imported on first use: no list or stream request needs the normaliser
            from shared.domain.normalise import meeting_from_event

            try:
                return meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
            except InvalidInput:
                pass
        return conf.placeholder(org.id, principal.id, event_id, self._clock.now())

    @staticmethod
    def _current(
        event: CalendarEvent | None, held: MeetingRecord | None, provider: str
    ) -> tuple[str | None, JoinDetails | None]:
        """The event's meeting of ``provider``: its reference, and its details when they are known."""
        known = held.details if held is not None and held.live and held.details.provider == provider else None
        if event is not None:
            ref = OwnedMeetings.of(event, dict(event.private_properties)).ref_for(provider)
            if ref is not None:
                return ref, known if known is not None and known.reference == ref else None
        return (known.reference, known) if known is not None else (None, None)

    # ------------------------------------------------------------ the sweep

    def sweep(self) -> int:
        """Release the add-on's reservations older than a day that their event does not hold; return how many."""
        now = self._clock.now()
        released = 0
        for org in self._orgs.list_orgs():
            for held in self._records.reserved(org.id, now - UNUSED_AFTER):
                principal = self._principals.get_principal(org.id, held.principal_id)
                if principal is None:
                    continue
                try:
                    released += self._settle(org, principal, held.event_id, held.record)
                except HybridCalendarError as exc:
                    log.warning("reservation sweep failed", extra=ctx(org=org.id, error_code=exc.code))
        return released

    def _settle(self, org: Org, principal: Principal, event_id: str, record: MeetingRecord) -> int:
        try:
            event: CalendarEvent | None = self._events.read_event(org, principal, principal.email, event_id)
        except NotFound:
            event = None
        now = self._clock.now()
        if event is not None and not event.cancelled:
            refs = {ref for _, ref in OwnedMeetings.of(event, dict(event.private_properties)).items}
            if record.details.reference in refs:
                kept = MeetingRecord(record.details, record.source, "active", record.solution, record.fingerprint)
                self._records.decide(org.id, principal.id, event_id, "unchanged", ADDON_CONFERENCE, now, meeting=kept)
                return 0
        self._providers.named(org, record.details.provider).release(org, principal, record.details.reference)
        gone = MeetingRecord(record.details, record.source, "released", record.solution, record.fingerprint)
        self._records.decide(org.id, principal.id, event_id, "removed", ADDON_CONFERENCE_UNUSED, now, meeting=gone)
        log.info("unused reservation released", extra=ctx(org=org.id, principal=principal.id, event=event_id))
        return 1
