"""Calendar sync: from a SyncCalendar message to an up-to-date, encrypted meeting list.

One sync of one calendar at a time (a lease held by compare-and-set on the sync state);
incremental ``events.list`` with the stored sync token, or a full sync of the retention window
when there is none or Google answers 410; recurring masters expanded with ``events.instances``
inside the window; cancelled events and instances delete their meetings; meetings are written
before the new sync token, so a crash repeats work and never skips it. Keyword changes on the
organiser's copy are handed to the join-rewrite topic.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from shared.clock import Clock
from shared.domain.conference import carries_service_meeting, needs_rewrite
from shared.domain.decisions import NOT_ORGANISER
from shared.domain.events import CalendarEvent
from shared.domain.keywords import find_keyword
from shared.domain.meetings import Meeting
from shared.domain.normalise import meeting_from_event
from shared.domain.principals import Org, Principal
from shared.domain.retention import RetentionWindow
from shared.domain.sync import SyncState
from shared.errors import Conflict, InvalidInput, LeaseHeld, PreconditionFailed, SyncTokenExpired
from shared.logs import ctx, get_logger
from shared.messages import RewriteJoinDetails
from shared.ports import CalendarDirectory, CalendarEventPage, MessageBus, Stores, SyncCalendarApi
from shared.services.webhook import ordering_key
from shared.topics import JOIN_REWRITE

log = get_logger(__name__)
LEASE = timedelta(minutes=5)
BATCH = 400


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    full: bool = False
    pages: int = 0
    events: int = 0
    stored: int = 0
    deleted: int = 0
    rewrites: int = 0
    skipped: str | None = None
    repaired: int = 0
    notes: list[str] = field(default_factory=list)


class SyncService:
    """Runs incremental and full syncs of one principal's calendar."""

    def __init__(self, stores: Stores, bus: MessageBus, directory: CalendarDirectory, clock: Clock) -> None:
        self._stores, self._bus, self._directory, self._clock = stores, bus, directory, clock
        self.owner = uuid.uuid4().hex

    # ------------------------------------------------------------ lease

    def _acquire(self, org_id: str, principal_id: str) -> tuple[SyncState, str]:
        now = self._clock.now()
        for _ in range(5):
            state, version = self._stores.get_sync_state(org_id, principal_id)
            if state.leased(now) and state.lease_owner != self.owner:
                raise LeaseHeld("another worker is syncing this calendar")
            leased = replace(state, lease_owner=self.owner, lease_until=now + LEASE, pending=False, pending_since=None)
            try:
                new_version = self._stores.put_sync_state(leased, if_version=version, create=version is None)
                return leased, new_version
            except (PreconditionFailed, Conflict):
                continue
        raise LeaseHeld("could not take the lease on this calendar")

    def _release(self, state: SyncState, version: str, **changes: object) -> None:
        final = replace(state, lease_owner=None, lease_until=None, **changes)  # type: ignore[arg-type]
        try:
            self._stores.put_sync_state(final, if_version=version, create=False)
        except PreconditionFailed:
            # A notification marked the calendar pending meanwhile: keep that flag, write the rest.
            current, current_version = self._stores.get_sync_state(state.org_id, state.principal_id)
            merged = replace(final, pending=current.pending, pending_since=current.pending_since)
            self._stores.put_sync_state(merged, if_version=current_version, create=False)

    # ------------------------------------------------------------ entry

    def sync(self, org_id: str, principal_id: str, *, force_full: bool = False) -> SyncReport:
        """Sync one calendar; LeaseHeld (retryable) when another worker is at it."""
        org = self._stores.get_org(org_id)
        principal = self._stores.get_principal(org_id, principal_id)
        if org is None or principal is None or not principal.active:
            log.info("sync skipped: principal not active", extra=ctx(org=org_id, principal=principal_id))
            return SyncReport(skipped="principal_not_active")
        state, version = self._acquire(org_id, principal_id)
        api = self._directory.calendar_for(org, principal)
        report = SyncReport()
        token = None if force_full else state.sync_token
        try:
            if token:
                try:
                    new_token = self._run(org, principal, api, report, sync_token=token)
                except SyncTokenExpired:
                    report.notes.append("sync token expired: full sync")
                    new_token = self._full(org, principal, api, report)
            else:
                new_token = self._full(org, principal, api, report)
        except BaseException:
            self._release(state, version)
            raise
        now = self._clock.now()
        changes: dict[str, object] = {"sync_token": new_token, "last_sync": now}
        if report.full:
            changes.update(last_full_sync=now, window_end=RetentionWindow.at(now).end)
        self._release(state, version, **changes)
        log.info(
            "calendar synced",
            extra=ctx(
                org=org_id,
                principal=principal_id,
                full=report.full,
                events=report.events,
                stored=report.stored,
                deleted=report.deleted,
            ),
        )
        return report

    def ingest_slice(self, org_id: str, principal_id: str, start: datetime, end: datetime) -> SyncReport:
        """Ingest [start, end) without touching the sync token (the daily window advance)."""
        org = self._stores.get_org(org_id)
        principal = self._stores.get_principal(org_id, principal_id)
        if org is None or principal is None or not principal.active:
            return SyncReport(skipped="principal_not_active")
        state, version = self._acquire(org_id, principal_id)
        report = SyncReport()
        try:
            self._run(
                org, principal, self._directory.calendar_for(org, principal), report, time_min=start, time_max=end
            )
        except BaseException:
            self._release(state, version)
            raise
        self._release(state, version, window_end=end)
        return report

    def _full(self, org: Org, principal: Principal, api: SyncCalendarApi, report: SyncReport) -> str | None:
        report.full = True
        window = RetentionWindow.at(self._clock.now())
        stored_before = self._stores.meeting_event_ids(org.id, principal.id)
        seen: set[str] = set()
        token = self._run(org, principal, api, report, time_min=window.start, time_max=window.end, seen=seen)
        gone = sorted(stored_before - seen)
        if gone:
            report.deleted += self._stores.delete_meetings(org.id, principal.id, gone)
        return token

    # ------------------------------------------------------------ paging and applying

    def _pages(self, api: SyncCalendarApi, calendar_id: str, **kwargs: object) -> Iterator[CalendarEventPage]:
        page_token: str | None = None
        while True:
            page = api.events_page(calendar_id, page_token=page_token, **kwargs)  # type: ignore[arg-type]
            yield page
            if not page.next_page_token:
                return
            page_token = page.next_page_token

    def _run(
        self,
        org: Org,
        principal: Principal,
        api: SyncCalendarApi,
        report: SyncReport,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        seen: set[str] | None = None,
    ) -> str | None:
        next_token: str | None = None
        for page in self._pages(api, principal.email, sync_token=sync_token, time_min=time_min, time_max=time_max):
            report.pages += 1
            self._apply(org, principal, api, page.events, report, seen)
            next_token = page.next_sync_token or next_token
        return next_token

    def _apply(
        self,
        org: Org,
        principal: Principal,
        api: SyncCalendarApi,
        events: tuple[CalendarEvent, ...],
        report: SyncReport,
        seen: set[str] | None,
    ) -> None:
        now = self._clock.now()
        window = RetentionWindow.at(now)
        upserts: list[Meeting] = []
        deletes: list[str] = []
        master_keywords: dict[str, str | None] = {}
        for event in events:
            report.events += 1
            if event.cancelled:
                self._release_on_cancel(org, principal, event.id, now)
                deletes.append(event.id)
                if event.recurring_event_id is None:
                    deletes.extend(self._series_ids(org.id, principal.id, event.id))
                continue
            if event.is_recurring_master:
                master_keywords[event.id] = find_keyword(event.location, org.keywords)
                instances = self._instances(org, principal, api, event, window, report)
                known = set(self._series_ids(org.id, principal.id, event.id))
                keep = {m.event_id for m in instances}
                deletes.extend(sorted(known - keep))
                upserts.extend(instances)
                if seen is not None:
                    seen.update(keep)
                continue
            try:
                meeting = meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
            except InvalidInput:
                report.notes.append("event without start or end skipped")
                continue
            if window.overlaps(meeting.start, meeting.end):
                upserts.append(meeting)
                if seen is not None:
                    seen.add(meeting.event_id)
            else:
                deletes.append(event.id)
        for start in range(0, len(upserts), BATCH):
            chunk = upserts[start : start + BATCH]
            report.rewrites += self._handoff(org, principal, chunk, master_keywords)
            report.stored += self._stores.put_meetings(chunk, now)
        if deletes:
            report.deleted += self._stores.delete_meetings(org.id, principal.id, sorted(set(deletes)))

    def _instances(
        self,
        org: Org,
        principal: Principal,
        api: SyncCalendarApi,
        master: CalendarEvent,
        window: RetentionWindow,
        report: SyncReport,
    ) -> list[Meeting]:
        out: list[Meeting] = []
        page_token: str | None = None
        while True:
            page = api.instances_page(
                principal.email, master.id, time_min=window.start, time_max=window.end, page_token=page_token
            )
            report.pages += 1
            for event in page.events:
                if event.cancelled:
                    continue
                try:
                    out.append(meeting_from_event(org.id, principal.id, event, keywords=org.keywords))
                except InvalidInput:
                    continue
            if not page.next_page_token:
                return out
            page_token = page.next_page_token

    def _series_ids(self, org_id: str, principal_id: str, series_id: str) -> list[str]:
        return self._stores.series_event_ids(org_id, principal_id, series_id)

    def _release_on_cancel(self, org: Org, principal: Principal, event_id: str, now: datetime) -> None:
        """A cancelled organiser event that carried join details goes to the rewrite, which releases them."""
        stored = self._stores.get_meeting(org.id, principal.id, event_id, now)
        if stored is None or not stored.is_organizer_copy or not carries_service_meeting(stored):
            return
        message = RewriteJoinDetails(org_id=org.id, principal_id=principal.id, event_id=event_id)
        self._bus.publish(
            JOIN_REWRITE,
            message.encode(),
            ordering_key=ordering_key(org.id, principal.id),
            attributes={"event_id": event_id},
        )

    def _handoff(
        self, org: Org, principal: Principal, meetings: list[Meeting], master_keywords: dict[str, str | None]
    ) -> int:
        """Publish a join rewrite for each organiser copy whose keyword and written block disagree.

        A copy that is not the organiser's but carries a keyword gets a ``not_organiser`` decision.

        An instance whose keyword is its series' keyword is handled by patching the master once;
        an instance with a keyword of its own (an exception) gets its own rewrite.
        """
        count = 0
        handled: set[str] = set()
        for meeting in meetings:
            if not meeting.is_organizer_copy or principal.kind.value != "person":
                event = meeting.series_id or meeting.event_id  # a series is explained once
                if meeting.keyword and event not in handled:  # an attendee's or a room's copy: say why not
                    handled.add(event)
                    self._stores.record_decision(
                        org.id, principal.id, event, "skipped", NOT_ORGANISER, self._clock.now()
                    )
                continue
            if not needs_rewrite(meeting):
                continue
            target = meeting.event_id
            series = meeting.series_id
            if series and series in master_keywords and master_keywords[series] == meeting.keyword:
                target = series
            if target in handled:
                continue
            handled.add(target)
            message = RewriteJoinDetails(org_id=org.id, principal_id=principal.id, event_id=target)
            self._bus.publish(
                JOIN_REWRITE,
                message.encode(),
                ordering_key=ordering_key(org.id, principal.id),
                attributes={"event_id": target},
            )
            count += 1
        return count
