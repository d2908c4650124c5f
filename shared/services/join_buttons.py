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

from shared.adapters.store import app_queries
from shared.adapters.store.repositories import DocumentStores
from shared.documents import Document
from shared.domain.meetings import Meeting, ResponseStatus
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind, correction
from shared.domain.principals import Device, Org, Principal, PrincipalKind
from shared.domain.privacy import may_see_details
from shared.logs import ctx, get_logger
from shared.ports import MessageBus
from shared.ports.clock import Clock
from shared.ports.messages import JoinButton

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


def _join_id(org_id: str, event_id: str, kind: RecipientKind, recipient: str, start: datetime) -> str:
    """The stored id of a recipient's join button for a meeting instance (what ``record_notice`` gives it)."""
    notice = JoinButtonNotice(
        org_id=org_id,
        meeting_id=event_id,
        recipient_kind=kind,
        recipient_id=recipient,
        kind=NoticeKind.JOIN,
        start=start,
        end=start,
        title="",
        target=None,
        sent_at=start,
    )
    return app_queries.notice_id(notice)


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
        stores: DocumentStores,
        bus: MessageBus,
        clock: Clock,
        on_notice: Callable[[JoinButtonNotice], None] | None = None,
    ) -> None:
        self._stores, self._bus, self._clock = stores, bus, clock
        self._on_notice = on_notice
        self._settled: frozenset[tuple[str, str, str]] = frozenset()  # see ``_corrections``

    def dispatch(self) -> DispatchReport:
        """One run over every org; return the counts."""
        report = DispatchReport()
        now = self._clock.now()
        settled: set[tuple[str, str, str]] = set()
        for org in self._stores.list_orgs():
            report.orgs += 1
            principals = {p.id: p for p in self._stores.list_principals(org.id, active_only=True)}
            devices: dict[str, list[Device]] = {}
            heads = app_queries.live_notice_heads(self._stores, org.id, now)
            due = app_queries.due_meeting_docs(self._stores, org.id, now - GRACE, now + self._max_lead(org, principals))
            self._corrections(org, principals, heads, due, now, report, settled)
            self._joins(org, principals, devices, {h.id for h in heads}, due, now, report, settled)
        self._settled = frozenset(settled)
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

    @staticmethod
    def _max_lead(org: Org, principals: dict[str, Principal]) -> timedelta:
        rooms = (
            p.join_lead_override
            for p in principals.values()
            if p.kind is PrincipalKind.ROOM and p.join_lead_override is not None
        )
        return max((org.join_lead, *rooms))

    def _joins(
        self,
        org: Org,
        principals: dict[str, Principal],
        devices: dict[str, list[Device]],
        notified: set[str],
        due: list[Document],
        now: datetime,
        report: DispatchReport,
        settled: set[tuple[str, str, str]],
    ) -> None:
        """One join button per recipient of every eligible meeting; the notices already stored cost no write.

        ``notified`` holds the ids of the org's live notices, read once: a meeting whose recipients
        all have their button is skipped without opening it, and a recipient who has one gets no
        create-if-absent (which would only find it there). Everyone else still goes through
        ``record_notice``'s create-if-absent, so racing runs send each notice once.
        """
        for doc in due:
            data = doc.data
            principal = principals.get(data["principal_id"])
            if (
                principal is None
                or data.get("allDay")
                or not data["start"] - lead_for(org, principal) <= now < data["end"]
            ):
                continue
            recipients = self._recipients(org, principal, devices)
            pending = [r for r in recipients if _join_id(org.id, data["event_id"], *r, data["start"]) not in notified]
            if not pending:  # every recipient has this button: nothing to open, nothing to write
                report.meetings += 1
                report.duplicates += len(recipients)
                continue
            meeting = app_queries.open_meeting(self._stores, org.id, doc)
            if not eligible(meeting, org, principal, now):
                continue
            report.meetings += 1
            report.duplicates += len(recipients) - len(pending)
            for kind, recipient in pending:
                if self._send(org, meeting, principal, kind, recipient, NoticeKind.JOIN, now, report):
                    # made from this very stored meeting: nothing to correct while the meeting stays as stored
                    settled.add(
                        (_join_id(org.id, meeting.event_id, kind, recipient, meeting.start), doc.path, doc.version)
                    )

    def _recipients(
        self, org: Org, principal: Principal, devices: dict[str, list[Device]]
    ) -> list[tuple[RecipientKind, str]]:
        if principal.kind is PrincipalKind.PERSON:
            return [(RecipientKind.PERSON, principal.id)]
        if principal.id not in devices:
            devices[principal.id] = app_queries.devices_of_room(self._stores, org.id, principal.id)
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
        if not self._stores.record_notice(notice, now):
            report.duplicates += 1
            return False
        report.sent += 1
        report.by_kind[notice_kind.value] = report.by_kind.get(notice_kind.value, 0) + 1
        message = JoinButton(
            org_id=org.id,
            notice_id=app_queries.notice_id(notice),
            recipient_kind=kind.value,
            recipient_id=recipient,
            notice_kind=notice_kind.value,
        )
        self._bus.send(message)
        if self._on_notice is not None:
            self._on_notice(notice)
        return True

    # ------------------------------------------------------------ corrections

    def _corrections(
        self,
        org: Org,
        principals: dict[str, Principal],
        heads: list[app_queries.NoticeHead],
        due: list[Document],
        now: datetime,
        report: DispatchReport,
        settled: set[tuple[str, str, str]],
    ) -> None:
        """Compare each recipient's newest notice with their calendar copy; send what corrects it.

        The newest notices are found from plaintext fields; their meetings come from the due
        meetings already read, the rest in one batched read; a notice is opened only to compare.
        A notice (immutable) found to need nothing against a meeting at a given stored version
        needs nothing while that version stands, so the previous run's such pairs (``_settled``)
        are not opened again; any write to the meeting changes its version and it is compared anew.
        """
        latest: dict[str, app_queries.NoticeHead] = {}
        for head in heads:
            current = latest.get(head.key)
            if current is None or (head.sent_at, _KIND_ORDER[head.kind]) > (current.sent_at, _KIND_ORDER[current.kind]):
                latest[head.key] = head
        todo: list[tuple[app_queries.NoticeHead, Principal]] = []
        for head in latest.values():
            if head.kind is NoticeKind.CANCELLED:
                continue
            calendar = self._calendar_of(head.recipient_kind, head.recipient_id, principals)
            if calendar is not None:
                todo.append((head, calendar))
        held = {(d.data["principal_id"], d.data["event_id"]): d for d in due}
        missing = [(c.id, h.meeting_id) for h, c in todo if (c.id, h.meeting_id) not in held]
        held.update(
            {k: d for k, d in zip(missing, app_queries.meeting_docs(self._stores, org.id, missing), strict=True) if d}
        )
        for head, calendar in todo:
            doc = held.get((calendar.id, head.meeting_id))
            live = doc is not None and doc.data["expireAt"] > now  # what ``get_meeting`` answers
            checked = (head.id, doc.path, doc.version) if doc is not None and live else None
            if checked is not None and checked in self._settled:
                settled.add(checked)  # the same notice against the same stored meeting: still nothing to send
                continue
            stored = app_queries.open_notice(self._stores, org.id, head)
            notice = stored.notice
            meeting: Meeting | None = None
            if doc is not None and live:
                meeting = app_queries.open_meeting(self._stores, org.id, doc)
            kind = correction(notice, meeting)
            if kind is None:
                if checked is not None:
                    settled.add(checked)
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

    def _calendar_of(
        self, recipient_kind: RecipientKind, recipient_id: str, principals: dict[str, Principal]
    ) -> Principal | None:
        if recipient_kind is RecipientKind.PERSON:
            return principals.get(recipient_id)
        device = self._stores.get_device(recipient_id)
        return principals.get(device.room_id) if device is not None else None
