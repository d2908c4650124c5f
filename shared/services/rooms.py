"""Rooms that release themselves: release policies, device check-in, the release run and the admin report.

A run (the ``release_rooms`` job, every minute) looks at each active room's meetings that
started within the last day. With a policy on, a meeting nobody checked in to by its release
time (and still running) is claimed ``releasing`` (create-if-absent, so a racing check-in or a
second run loses), read once at Google through the room delegate and, unless the organiser
exempted it or the room no longer holds it, declined with one ``events.patch`` of that instance;
the record then says ``released``. Without a policy the meeting is counted ``no_policy`` once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from msgspec.structs import replace

from shared.clock import zone_of
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal, PrincipalKind, PrincipalState
from shared.domain.rooms import (
    NO_POLICY_MARK,
    CheckIn,
    DeviceMeeting,
    Outcome,
    OutcomeRecord,
    ReleasePolicy,
    day_of,
    effective,
    holds_room,
    is_exempt,
    window,
)
from shared.errors import Conflict, InvalidInput, NotFound, PermanentError, PreconditionFailed, RetryableError
from shared.logs import ctx, get_logger
from shared.ports import Stores
from shared.ports.calendar import RoomAttendance
from shared.ports.clock import Clock
from shared.ports.rooms import RoomLedger

log = get_logger(__name__)
LOOKBACK = timedelta(days=1)
MAX_REPORT_DAYS = 62


class CheckInClosed(Conflict):
    """A check-in outside the meeting's check-in window (or after the room was released)."""

    code = "check_in_closed"


@dataclass
class ReleaseReport:
    """What one release run did."""

    released: int = 0
    exempt: int = 0
    no_policy: int = 0
    failed: int = 0
    retry: int = 0
    rooms: int = 0
    errors: list[str] = field(default_factory=list)


class RoomService:
    """Policies, check-ins, release runs and the report, over the stores, the ledger and the room calendar."""

    def __init__(self, stores: Stores, ledger: RoomLedger, calendar: RoomAttendance, clock: Clock) -> None:
        self._stores, self._ledger, self._calendar, self._clock = stores, ledger, calendar, clock

    # ------------------------------------------------------------ policies

    def _org(self, org_id: str) -> Org:
        org = self._stores.orgs.get_org(org_id)
        if org is None:
            raise NotFound("no such org")
        return org

    def _room(self, org_id: str, email: str) -> Principal:
        self._org(org_id)
        room = self._stores.principals.find_principal(org_id, email.strip().lower())
        if room is None or room.state is PrincipalState.DEACTIVATED:
            raise NotFound("no such room")
        if room.kind is not PrincipalKind.ROOM:
            raise InvalidInput("release policies are for rooms, not people")
        return room

    def org_policy(self, org_id: str) -> ReleasePolicy:
        """The org's default policy (off unless set)."""
        self._org(org_id)
        return self._ledger.policy(org_id, None) or ReleasePolicy()

    def set_org_policy(self, org_id: str, policy: ReleasePolicy) -> ReleasePolicy:
        """Set the org's default policy."""
        self._org(org_id)
        self._ledger.set_policy(org_id, None, policy)
        log.info("room release default set", extra=ctx(org=org_id, minutes=policy.minutes))
        return policy

    def room_policy(self, org_id: str, email: str) -> tuple[ReleasePolicy | None, ReleasePolicy]:
        """The room's override (None: it follows the org) and the policy in effect."""
        room = self._room(org_id, email)
        override = self._ledger.policy(org_id, room.id)
        return override, effective(self.org_policy(org_id), override)

    def set_room_policy(
        self, org_id: str, email: str, policy: ReleasePolicy | None
    ) -> tuple[ReleasePolicy | None, ReleasePolicy]:
        """Set the room's override (None: follow the org's default again)."""
        room = self._room(org_id, email)
        self._ledger.set_policy(org_id, room.id, policy)
        log.info("room release override set", extra=ctx(org=org_id, principal=room.id))
        return self.room_policy(org_id, email)

    def _policy_of(self, org_id: str, room: Principal, default: ReleasePolicy | None = None) -> ReleasePolicy:
        if default is None:
            default = self._ledger.policy(org_id, None) or ReleasePolicy()
        return effective(default, self._ledger.policy(org_id, room.id))

    # ------------------------------------------------------------ check-in

    def check_in(self, org: Org, room: Principal, device_id: str, event_id: str) -> CheckIn:
        """Check a device's room in to one of its meetings, inside the meeting's check-in window."""
        if not event_id or len(event_id) > 1024:
            raise InvalidInput("event_id is 1 to 1024 characters")
        now = self._clock.now()
        meeting = self._stores.meetings.get_meeting(org.id, room.id, event_id, now)
        if meeting is None:
            raise NotFound("no such meeting in this room")
        span = window(meeting, self._policy_of(org.id, room))
        existing = self._ledger.outcomes(org.id, room.id, [event_id]).get(event_id)
        if existing is not None and existing.outcome in (Outcome.RELEASING, Outcome.RELEASED):
            raise CheckInClosed("the room was released: nobody checked in in time")
        if not holds_room(meeting, room.email):
            raise NotFound("no such meeting in this room")
        if existing is not None and existing.outcome is Outcome.CHECKED_IN:
            return CheckIn(existing, span, already=True)
        if not span.contains(now):
            raise CheckInClosed(f"check-in is open from {span.opens.isoformat()} until {span.closes.isoformat()}")
        record = self._record(org.id, room, meeting, Outcome.CHECKED_IN, now, device_id=device_id)
        if not self._ledger.claim(record, replacing=(Outcome.NO_POLICY, Outcome.EXEMPT)):
            again = self._ledger.outcomes(org.id, room.id, [event_id]).get(event_id)
            if again is not None and again.outcome is Outcome.CHECKED_IN:
                return CheckIn(again, span, already=True)
            raise CheckInClosed("the room was released: nobody checked in in time")
        log.info("room checked in", extra=ctx(org=org.id, principal=room.id, device=device_id))
        return CheckIn(record, span, already=False)

    def device_meetings(self, org: Org, room: Principal, start: datetime, end: datetime) -> list[DeviceMeeting]:
        """The room's meetings in [start, end) with their check-in windows and outcomes (for the display)."""
        now = self._clock.now()
        policy = self._policy_of(org.id, room)
        meetings = [m for m in self._stores.meetings.list_meetings(org.id, room.id, start, end, now) if not m.all_day]
        found = self._ledger.outcomes(org.id, room.id, [m.event_id for m in meetings])
        return [  # a released meeting stays (the room declined it at Google) so the display can say so
            DeviceMeeting(m.event_id, window(m, policy), found[m.event_id].outcome if m.event_id in found else None)
            for m in meetings
            if m.event_id in found or holds_room(m, room.email)
        ]

    def _record(
        self, org_id: str, room: Principal, meeting: Meeting, outcome: Outcome, at: datetime, **extra: str | None
    ) -> OutcomeRecord:
        return OutcomeRecord(
            org_id=org_id,
            room_id=room.id,
            event_id=meeting.event_id,
            outcome=outcome,
            at=at,
            day=day_of(meeting.start, zone_of(room.time_zone or meeting.time_zone)),
            start=meeting.start,
            **extra,
        )

    # ------------------------------------------------------------ release

    def release(self) -> ReleaseReport:
        """One run over every org's active rooms: release the no-shows due, count the rest once."""
        report = ReleaseReport()
        now = self._clock.now()
        for org in self._stores.orgs.list_orgs():
            default = self._ledger.policy(org.id, None) or ReleasePolicy()
            for room in self._stores.principals.list_principals(org.id, active_only=True):
                if room.kind is PrincipalKind.ROOM:
                    report.rooms += 1
                    self._release_room(org, room, self._policy_of(org.id, room, default), now, report)
        return report

    def _release_room(
        self, org: Org, room: Principal, policy: ReleasePolicy, now: datetime, report: ReleaseReport
    ) -> None:
        mark = policy.after if policy.after is not None else NO_POLICY_MARK
        meetings = [
            m
            for m in self._stores.meetings.list_meetings(
                org.id, room.id, now - LOOKBACK, now - mark + timedelta(seconds=1), now
            )
            if holds_room(m, room.email) and m.start + mark <= now
        ]
        if not meetings:
            return
        known = self._ledger.outcomes(org.id, room.id, [m.event_id for m in meetings])
        for meeting in meetings:
            if meeting.event_id in known:
                continue
            if not policy.on:
                if self._ledger.claim(self._record(org.id, room, meeting, Outcome.NO_POLICY, now)):
                    report.no_policy += 1
            elif now < meeting.end:
                self._release_one(org, room, meeting, now, report)

    def _release_one(self, org: Org, room: Principal, meeting: Meeting, now: datetime, report: ReleaseReport) -> None:
        if is_exempt(meeting.agenda, {}):
            if self._ledger.claim(self._record(org.id, room, meeting, Outcome.EXEMPT, now)):
                report.exempt += 1
            return
        claim = self._record(org.id, room, meeting, Outcome.RELEASING, now)
        if not self._ledger.claim(claim):
            return  # someone checked in, or another run got there first
        try:
            seen = self._calendar.room_event(org, room, meeting.event_id)
            if seen.exempt:
                self._ledger.settle(replace(claim, outcome=Outcome.EXEMPT), expected=Outcome.RELEASING)
                report.exempt += 1
                return
            if seen.cancelled or not seen.invited or seen.declined:
                self._ledger.withdraw(org.id, room.id, meeting.event_id, expected=Outcome.RELEASING)
                return
            self._calendar.decline_room(org, room, meeting.event_id, etag=seen.etag, send_updates=org.send_updates)
        except NotFound:  # the event is gone at Google: nothing to release (the sync removes it)
            self._ledger.withdraw(org.id, room.id, meeting.event_id, expected=Outcome.RELEASING)
            return
        except (RetryableError, PreconditionFailed) as exc:  # a 412: the event changed since the read
            self._ledger.withdraw(org.id, room.id, meeting.event_id, expected=Outcome.RELEASING)
            report.retry += 1
            report.errors.append(exc.code)
            log.warning("room release deferred", extra=ctx(org=org.id, principal=room.id, error_code=exc.code))
            return
        except PermanentError as exc:
            failed = replace(claim, outcome=Outcome.FAILED, detail=f"{exc.code}: {exc.message}"[:200])
            self._ledger.settle(failed, expected=Outcome.RELEASING)
            report.failed += 1
            report.errors.append(exc.code)
            log.warning("room release failed", extra=ctx(org=org.id, principal=room.id, error_code=exc.code))
            return
        self._ledger.settle(replace(claim, outcome=Outcome.RELEASED, at=self._clock.now()), expected=Outcome.RELEASING)
        report.released += 1
        log.info("room released", extra=ctx(org=org.id, principal=room.id))

    # ------------------------------------------------------------ admin views

    def meetings_of(self, org_id: str, email: str, first: date, days: int) -> list[OutcomeRecord]:
        """One room's recorded outcomes, per meeting, for ``days`` days from ``first``."""
        room = self._room(org_id, email)
        first_day, last_day = _days(first, days)
        return self._ledger.list(org_id, first_day, last_day, room.id)

    def report(self, org_id: str, first: date, days: int) -> list[dict[str, object]]:
        """Counts per room and day: released, checked in, no policy (and exempt, failed)."""
        self._org(org_id)
        first_day, last_day = _days(first, days)
        counts: Counter[tuple[str, str, Outcome]] = Counter()
        for record in self._ledger.list(org_id, first_day, last_day):
            counts[(record.room_id, record.day, record.outcome)] += 1
        emails = {
            p.id: p.email for p in self._stores.principals.list_principals(org_id) if p.kind is PrincipalKind.ROOM
        }
        keys = sorted({(room_id, day) for room_id, day, _ in counts}, key=lambda k: (k[1], emails.get(k[0], k[0])))
        return [
            {
                "room": emails.get(room_id, room_id),
                "day": day,
                **{o.value: counts[(room_id, day, o)] for o in Outcome if o is not Outcome.RELEASING},
            }
            for room_id, day in keys
        ]


def _days(first: date, days: int) -> tuple[str, str]:
    if not 1 <= days <= MAX_REPORT_DAYS:
        raise InvalidInput(f"days is 1 to {MAX_REPORT_DAYS}")
    return first.isoformat(), (first + timedelta(days=days - 1)).isoformat()
