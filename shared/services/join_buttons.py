"""Join buttons (OBTP): who gets one, exactly once, and corrections whenever what was sent changes.

``dispatch`` runs every minute. For every org it first corrects what it sent, comparing each
recipient's newest notice with their calendar copy now (``presence.correction``): a meeting gone
or cancelled gets ``cancelled``, new times ``moved``, a join target gone (the keyword removed)
``removed`` and a new join target ``updated`` — each exactly once, to apps and devices alike.
Then it sends join buttons: every meeting with a join target that starts within the lead time
(the org's; a room may override it) gets one notice per active invitee (their own calendar
copy) and one per device of each invited room. Each notice is recorded create-if-absent, so
overlapping or repeated runs send it once; only the run that recorded it publishes it on the
join-buttons topic. Devices (and anyone not invited) get a private meeting's notice without its
title. Streams read notices from the store; the :class:`Broadcaster` only wakes them early.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.domain.meetings import Meeting, ResponseStatus
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind, correction
from shared.domain.principals import Device, Org, Principal, PrincipalKind
from shared.domain.privacy import may_see_details
from shared.logs import ctx, get_logger
from shared.ports import MessageBus
from shared.ports.clock import Clock
from shared.ports.messages import JoinButton
from shared.ports.stores import (
    DeviceRepository,
    MeetingRepository,
    NoticeRepository,
    OrgRepository,
    PrincipalRepository,
    StoredNotice,
)

log = get_logger(__name__)
GRACE = timedelta(minutes=10)
"""A meeting that started up to this long ago still gets its button (a missed run)."""
_TICK = timedelta(microseconds=1)
_KIND_ORDER = {
    NoticeKind.JOIN: 0,
    NoticeKind.MOVED: 1,
    NoticeKind.UPDATED: 2,
    NoticeKind.REMOVED: 3,
    NoticeKind.CANCELLED: 4,
}


@dataclass(slots=True)
class DispatchReport:
    """What one dispatch run did."""

    orgs: int = 0
    meetings: int = 0
    sent: int = 0
    duplicates: int = 0
    moved: int = 0
    corrected: int = 0
    cancelled: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Broadcaster:
    """Wakes waiting streams when something may have changed (process-wide, best effort)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._active = 0
        self.closed = False

    @property
    def active(self) -> int:
        """How many streams are open."""
        with self._cond:
            return self._active

    def opened(self, delta: int) -> None:
        """Count a stream opening (+1) or ending (-1)."""
        with self._cond:
            self._active += delta
            self._cond.notify_all()

    def close(self) -> None:
        """End every stream (the process is shutting down)."""
        with self._cond:
            self.closed = True
            self._generation += 1
            self._cond.notify_all()

    @property
    def generation(self) -> int:
        """How many wake-ups happened so far."""
        with self._cond:
            return self._generation

    def notify(self, *_: object) -> None:
        """Wake every waiting stream."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until the generation passes ``seen`` or ``timeout`` seconds pass; return it."""
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout=timeout)
            return self._generation


def lead_for(org: Org, principal: Principal) -> timedelta:
    """The lead time for a calendar: the org's, or the room's override."""
    if principal.kind is PrincipalKind.ROOM and principal.join_lead_override is not None:
        return principal.join_lead_override
    return org.join_lead


def declined(meeting: Meeting, principal: Principal) -> bool:
    """True when ``principal`` declined ``meeting``."""
    me = principal.email.lower()
    return any(a.email.lower() == me and a.response_status is ResponseStatus.DECLINED for a in meeting.attendees)


def eligible(meeting: Meeting, org: Org, principal: Principal, now: datetime) -> bool:
    """Whether ``meeting`` on ``principal``'s calendar shows a join button at ``now``."""
    if meeting.primary_join_target is None or meeting.cancelled or meeting.all_day or declined(meeting, principal):
        return False
    return meeting.start - lead_for(org, principal) <= now < meeting.end


class JoinButtonDispatcher:
    """Sends join buttons and their corrections; safe to run concurrently with itself."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        meetings: MeetingRepository,
        notices: NoticeRepository,
        devices: DeviceRepository,
        bus: MessageBus,
        clock: Clock,
        on_notice: Callable[[JoinButtonNotice], None] | None = None,
    ) -> None:
        self._orgs, self._principals, self._meetings, self._notices, self._devices = (
            orgs,
            principals,
            meetings,
            notices,
            devices,
        )
        self._bus, self._clock = bus, clock
        self._on_notice = on_notice

    def dispatch(self) -> DispatchReport:
        """One run over every org; return the counts."""
        report = DispatchReport()
        now = self._clock.now()
        for org in self._orgs.list_orgs():
            report.orgs += 1
            principals = {p.id: p for p in self._principals.list_principals(org.id, active_only=True)}
            devices: dict[str, list[Device]] = {}
            self._corrections(org, principals, now, report)
            self._joins(org, principals, devices, now, report)
        log.info(
            "join buttons dispatched",
            extra=ctx(
                orgs=report.orgs,
                meetings=report.meetings,
                sent=report.sent,
                duplicates=report.duplicates,
                moved=report.moved,
                corrected=report.corrected,
                cancelled=report.cancelled,
            ),
        )
        return report

    # ------------------------------------------------------------ join buttons

    def _joins(
        self,
        org: Org,
        principals: dict[str, Principal],
        devices: dict[str, list[Device]],
        now: datetime,
        report: DispatchReport,
    ) -> None:
        leads = [
            org.join_lead,
            *(
                p.join_lead_override
                for p in principals.values()
                if p.kind is PrincipalKind.ROOM and p.join_lead_override is not None
            ),
        ]
        for meeting in self._meetings.meetings_starting(org.id, now - GRACE, now + max(leads)):
            principal = principals.get(meeting.principal_id)
            if principal is None or not eligible(meeting, org, principal, now):
                continue
            report.meetings += 1
            for kind, recipient in self._recipients(org, principal, devices):
                self._send(org, meeting, principal, kind, recipient, NoticeKind.JOIN, now, report)

    def _recipients(
        self, org: Org, principal: Principal, devices: dict[str, list[Device]]
    ) -> list[tuple[RecipientKind, str]]:
        if principal.kind is PrincipalKind.PERSON:
            return [(RecipientKind.PERSON, principal.id)]
        if principal.id not in devices:
            devices[principal.id] = self._devices.devices_of_room(org.id, principal.id)
        return [(RecipientKind.DEVICE, d.id) for d in devices[principal.id]]

    def _send(
        self,
        org: Org,
        meeting: Meeting,
        calendar: Principal,
        kind: RecipientKind,
        recipient: str,
        notice_kind: NoticeKind,
        now: datetime,
        report: DispatchReport,
        follows: str = "",
    ) -> bool:
        target = None if notice_kind in (NoticeKind.CANCELLED, NoticeKind.REMOVED) else meeting.primary_join_target
        shown = may_see_details(meeting, calendar.email, device=kind is RecipientKind.DEVICE)
        notice = JoinButtonNotice(
            org_id=org.id,
            meeting_id=meeting.event_id,
            recipient_kind=kind,
            recipient_id=recipient,
            kind=notice_kind,
            start=meeting.start,
            end=meeting.end,
            title=meeting.title if shown else "",
            target=target,
            sent_at=now,
            follows=follows,
        )
        if not self._notices.record_notice(notice, now):
            report.duplicates += 1
            return False
        report.sent += 1
        report.by_kind[notice_kind.value] = report.by_kind.get(notice_kind.value, 0) + 1
        message = JoinButton(
            org_id=org.id,
            notice_id=self._notices.notice_id(notice),
            recipient_kind=kind.value,
            recipient_id=recipient,
            notice_kind=notice_kind.value,
        )
        self._bus.send(message)
        if self._on_notice is not None:
            self._on_notice(notice)
        return True

    # ------------------------------------------------------------ corrections

    def _corrections(self, org: Org, principals: dict[str, Principal], now: datetime, report: DispatchReport) -> None:
        latest: dict[str, StoredNotice] = {}
        for stored in self._notices.live_notices(org.id, now):
            key = stored.notice.key
            current = latest.get(key)
            rank = (stored.notice.sent_at, _KIND_ORDER[stored.notice.kind])
            if current is None or rank > (current.notice.sent_at, _KIND_ORDER[current.notice.kind]):
                latest[key] = stored
        for stored in latest.values():
            notice = stored.notice
            if notice.kind is NoticeKind.CANCELLED:
                continue
            calendar = self._calendar_of(notice, principals)
            if calendar is None:
                continue
            meeting = self._meetings.get_meeting(org.id, calendar.id, notice.meeting_id, now)
            kind = correction(notice, meeting)
            if kind is None:
                continue
            if meeting is None or kind is NoticeKind.CANCELLED:
                meeting = Meeting(
                    org_id=org.id,
                    principal_id=calendar.id,
                    event_id=notice.meeting_id,
                    start=notice.start,
                    end=notice.end,
                    title=notice.title,
                )
            recipient = (notice.recipient_kind, notice.recipient_id)
            at = max(now, notice.sent_at + _TICK)  # after what it corrects, whatever another instance's clock said
            if not self._send(org, meeting, calendar, *recipient, kind, at, report, follows=stored.id):
                continue
            if kind is NoticeKind.MOVED:
                report.moved += 1
            elif kind is NoticeKind.CANCELLED:
                report.cancelled += 1
            else:
                report.corrected += 1

    def _calendar_of(self, notice: JoinButtonNotice, principals: dict[str, Principal]) -> Principal | None:
        if notice.recipient_kind is RecipientKind.PERSON:
            return principals.get(notice.recipient_id)
        device = self._devices.get_device(notice.recipient_id)
        return principals.get(device.room_id) if device is not None else None
