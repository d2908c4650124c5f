"""Join buttons (OBTP): who gets one, exactly once, and corrections whenever what was sent changes.

``dispatch`` runs every minute. For every org it first corrects what it sent, comparing each
recipient's newest notice with their calendar copy now (``presence.correction``): a meeting gone
or cancelled gets ``cancelled``, new times ``moved``, a join target gone (the keyword removed)
``removed`` and a new join target ``updated`` — each exactly once, to apps and devices alike.
Then it sends join buttons: every meeting with a join target that starts within the lead time
(the org's; a room may override it) gets one notice per active invitee (their own calendar
copy) and one per device of each invited room. Each notice is recorded create-if-absent (a batch
of them per write, ``join_batches``), so overlapping or repeated runs send it once; only the run
that recorded it publishes it on the join-buttons topic. A run reads each org's live notices
once (plaintext fields): a recipient who has a button costs no write and a meeting whose
recipients all have theirs is not opened.
Devices (and anyone not invited) get a private meeting's notice without its title.
Streams read notices from the store; the :class:`~shared.services.broadcaster.Broadcaster` only wakes them early.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from shared.domain.meetings import Meeting
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind, correction
from shared.domain.principals import Device, Org, Principal, PrincipalKind
from shared.domain.privacy import may_see_details
from shared.logs import ctx, get_logger
from shared.ports import MessageBus
from shared.ports.clock import Clock
from shared.ports.principal_heads import PrincipalHead
from shared.ports.stores import (
    DeviceRepository,
    DueMeeting,
    MeetingRepository,
    NoticeHead,
    NoticeRepository,
    OrgRepository,
    PrincipalRepository,
    Transactions,
)
from shared.services.join_batches import DispatchReport, NoticeOutbox, Settled
from shared.services.join_calendars import Calendars
from shared.services.join_rules import GRACE, eligible, lead_for, max_lead, newest_per_recipient

__all__ = ["GRACE", "DispatchReport", "JoinButtonDispatcher", "eligible", "lead_for"]

log = get_logger(__name__)
_TICK = timedelta(microseconds=1)


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
        *,
        transactions: Transactions | None = None,
    ) -> None:
        self._orgs, self._principals, self._meetings = orgs, principals, meetings
        self._notices, self._devices, self._bus, self._clock = notices, devices, bus, clock
        self._on_notice, self._transactions = on_notice, transactions
        self._settled: frozenset[Settled] = frozenset()  # see ``_corrections``
        self._ids: dict[tuple[str, str, datetime, datetime, RecipientKind, str], str] = {}  # see ``_join_id``
        self._next_ids: dict[tuple[str, str, datetime, datetime, RecipientKind, str], str] = {}

    def dispatch(self) -> DispatchReport:
        """One run over every org; return the counts."""
        report = DispatchReport()
        now = self._clock.now()
        settled: set[Settled] = set()
        for org in self._orgs.list_orgs():
            report.orgs += 1
            calendars = Calendars(self._principals, org.id)  # unopened: emails only where something is sent
            devices: dict[str, list[Device]] = {}
            heads = self._notices.live_notice_heads(org.id, now)
            due = self._meetings.due_meetings(org.id, now - GRACE, now + max_lead(org, calendars.heads()))
            outbox = NoticeOutbox(self._notices, self._bus, self._transactions, self._on_notice, report, settled, now)
            self._corrections(org, calendars, heads, due, now, outbox)
            outbox.flush()  # the corrections go out before the new buttons
            self._joins(org, calendars, devices, {h.id for h in heads}, due, now, report, outbox)
            outbox.flush()
        self._settled = frozenset(settled)
        self._ids, self._next_ids = self._next_ids, {}  # this run's ids: the next run finds them at once
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
        calendars: Calendars,
        devices: dict[str, list[Device]],
        notified: set[str],
        due: list[DueMeeting],
        now: datetime,
        report: DispatchReport,
        outbox: NoticeOutbox,
    ) -> None:
        """One join button per recipient of every eligible meeting; the notices already stored cost no write.

        ``notified`` holds the ids of the org's live notices, read once: a meeting whose recipients
        all have their button is skipped without opening it, and a recipient who has one gets no
        create-if-absent (which would only find it there). Everyone else's goes to the outbox,
        recorded create-if-absent a batch at a time, so racing runs send each notice once.
        """
        for head in due:
            calendar = calendars.head(head.principal_id)
            if calendar is None or head.all_day or not head.start - lead_for(org, calendar) <= now < head.end:
                continue
            recipients = self._recipients(org, calendar, devices)
            ids = [(r, self._join_id(org.id, head, *r)) for r in recipients]
            pending = [(r, nid) for r, nid in ids if nid not in notified]
            if not pending:  # every recipient has this button: nothing to open, nothing to write
                report.meetings += 1
                report.duplicates += len(recipients)
                continue
            principal = calendars.open(head.principal_id)
            meeting = self._meetings.open_meeting(org.id, head)
            if principal is None or not eligible(meeting, org, principal, now):
                continue
            report.meetings += 1
            report.duplicates += len(recipients) - len(pending)
            for (kind, recipient), nid in pending:
                notice = self._notice(org, meeting, principal, kind, recipient, NoticeKind.JOIN, now)
                # made from this very stored meeting: nothing to correct while it stays as stored
                outbox.add(notice, (org.id, nid, head.principal_id, head.event_id, head.version))

    def _join_id(self, org_id: str, head: DueMeeting, kind: RecipientKind, recipient: str) -> str:
        """The stored id of a recipient's join button for a meeting instance (what ``record_notice`` gives it).

        A pure function of its key; the ids of the previous run are kept (a meeting stays due for
        several runs), and only this run's are carried on.
        """
        key = (org_id, head.event_id, head.start, head.end, kind, recipient)
        nid = self._ids.get(key)
        if nid is None:
            nid = self._hash_join_id(*key)
        self._next_ids[key] = nid
        return nid

    def _hash_join_id(
        self, org_id: str, event_id: str, start: datetime, end: datetime, kind: RecipientKind, recipient: str
    ) -> str:
        probe = JoinButtonNotice(
            org_id=org_id,
            meeting_id=event_id,
            recipient_kind=kind,
            recipient_id=recipient,
            kind=NoticeKind.JOIN,
            start=start,
            end=end,
            title="",
            target=None,
            sent_at=start,
        )
        return self._notices.notice_id(probe)

    def _recipients(
        self, org: Org, principal: PrincipalHead, devices: dict[str, list[Device]]
    ) -> list[tuple[RecipientKind, str]]:
        if principal.kind is PrincipalKind.PERSON:
            return [(RecipientKind.PERSON, principal.id)]
        if principal.id not in devices:
            devices[principal.id] = self._devices.devices_of_room(org.id, principal.id)
        return [(RecipientKind.DEVICE, d.id) for d in devices[principal.id]]

    @staticmethod
    def _notice(
        org: Org,
        meeting: Meeting,
        calendar: Principal,
        kind: RecipientKind,
        recipient: str,
        notice_kind: NoticeKind,
        now: datetime,
        follows: str = "",
    ) -> JoinButtonNotice:
        target = None if notice_kind in (NoticeKind.CANCELLED, NoticeKind.REMOVED) else meeting.primary_join_target
        shown = may_see_details(meeting, calendar.email, device=kind is RecipientKind.DEVICE)
        return JoinButtonNotice(
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

    # ------------------------------------------------------------ corrections

    def _corrections(
        self,
        org: Org,
        calendars: Calendars,
        heads: list[NoticeHead],
        due: list[DueMeeting],
        now: datetime,
        outbox: NoticeOutbox,
    ) -> None:
        """Compare each recipient's newest notice with their calendar copy; send what corrects it.

        The newest notices are found from plaintext fields; their meetings come from the due
        meetings already read, the rest in one batched read; a notice is opened only to compare.
        A notice (immutable) found to need nothing against a meeting at a given stored version
        needs nothing while that version stands, so the previous run's such pairs (``_settled``)
        are not opened again; any write to the meeting changes its version and it is compared anew.
        """
        latest = newest_per_recipient(heads)
        rooms: dict[str, str | None] = {}
        todo: list[tuple[NoticeHead, str]] = []
        for head in latest.values():
            cid = None if head.kind is NoticeKind.CANCELLED else self._calendar_of(head, calendars, rooms)
            if cid is not None:
                todo.append((head, cid))
        held: dict[tuple[str, str], DueMeeting | None] = {(d.principal_id, d.event_id): d for d in due}
        missing = [(c, h.meeting_id) for h, c in todo if (c, h.meeting_id) not in held]
        if missing:
            held.update(zip(missing, self._meetings.meeting_heads(org.id, missing), strict=True))
        for head, cid in todo:
            stored_meeting = held.get((cid, head.meeting_id))
            live = stored_meeting if stored_meeting is not None and stored_meeting.expire_at > now else None
            checked = None if live is None else (org.id, head.id, cid, head.meeting_id, live.version)
            if checked is not None and checked in self._settled:
                outbox.settle(checked)  # the same notice against the same stored meeting: still nothing to send
                continue
            calendar = calendars.open(cid)
            if calendar is None:
                continue
            stored = self._notices.open_notice(org.id, head)
            notice = stored.notice
            meeting = None if live is None else self._meetings.open_meeting(org.id, live)
            kind = correction(notice, meeting)
            if kind is None:
                if checked is not None:
                    outbox.settle(checked)
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
            outbox.add(self._notice(org, meeting, calendar, *recipient, kind, at, follows=stored.id))

    def _calendar_of(self, head: NoticeHead, calendars: Calendars, rooms: dict[str, str | None]) -> str | None:
        """The id of the active calendar a notice was sent for (the person's, or the device's room), if any."""
        if head.recipient_kind is RecipientKind.PERSON:
            cid: str | None = head.recipient_id
        else:
            if head.recipient_id not in rooms:
                device = self._devices.get_device(head.recipient_id)
                rooms[head.recipient_id] = device.room_id if device is not None else None
            cid = rooms[head.recipient_id]
        return cid if cid is not None and calendars.head(cid) is not None else None
