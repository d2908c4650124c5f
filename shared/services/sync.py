"""Calendar sync: from a SyncCalendar message to an up-to-date, encrypted meeting list.

One sync of one calendar at a time (a lease held by compare-and-set on the sync state, taken
over at once when its holder's process is gone; see ``leases.py``);
incremental ``events.list`` with the stored sync token, or a full sync of the retention window
when there is none or Google answers 410; recurring masters expanded inside the window
(``sync_series.py``: ``events.instances`` per series, or one ``singleEvents`` listing when a full
sync meets more than a couple of series); cancelled events and instances delete their meetings;
meetings are written before the new sync token, so a crash repeats work and never skips it.
Keyword changes on the organiser's copy are handed to the join-rewrite topic.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain.principals import Org, Principal
from shared.domain.retention import RetentionWindow
from shared.domain.sync import SyncState
from shared.errors import LeaseHeld, RetryableError, SyncTokenExpired
from shared.logs import ctx, get_logger
from shared.ports import CalendarEventPage, MessageBus, SyncCalendar, SyncListing
from shared.ports.clock import Clock
from shared.ports.leases import Instances
from shared.ports.stores import (
    DecisionRepository,
    MeetingRepository,
    OrgRepository,
    PrincipalRepository,
    SyncStateRepository,
    Transactions,
)
from shared.services import sync_series as series
from shared.services.leases import SoleInstance
from shared.services.presence_refresh import announce_status
from shared.services.sync_apply import EventApplier, FullPass, SyncReport
from shared.services.sync_lease import LEASE, CalendarGates, SyncLeases

__all__ = ["SyncReport", "SyncService"]

log = get_logger(__name__)
FOLLOW_UPS = 3


class SyncService:
    """Runs incremental and full syncs of one principal's calendar."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        meetings: MeetingRepository,
        decisions: DecisionRepository,
        transactions: Transactions,
        sync_states: SyncStateRepository,
        bus: MessageBus,
        calendar: SyncCalendar,
        clock: Clock,
        instances: Instances | None = None,
        *,
        max_attempts: int = 5,
    ) -> None:
        self._orgs, self._principals, self._meetings = orgs, principals, meetings
        self._bus, self._calendar, self._clock = bus, calendar, clock
        self._applier = EventApplier(meetings, decisions, transactions, bus, clock)
        self._owners: Instances = instances or SoleInstance()
        self._sync_states = sync_states
        self._leases = SyncLeases(sync_states, clock, self._owners)
        self._gates = CalendarGates()
        self._max_attempts = max_attempts

    @property
    def owner(self) -> str:
        """This process start's instance id, which every lease it takes names."""
        return self._owners.instance

    # ------------------------------------------------------------ entry

    def sync(self, org_id: str, principal_id: str, *, force_full: bool = False, attempt: int = 1) -> SyncReport:
        """Sync one calendar; LeaseHeld (retryable, with ``retry_after``) when a live worker is at it.

        When another sync was asked for while this one held the lease, it runs again (a few times
        at most) before returning. ``attempt`` is the bus's delivery attempt: when the last one
        fails, the calendar's pending flag is dropped with it.
        """
        subject = self._sync_states.sync_subject(org_id, principal_id)  # one round trip for all three
        org, principal = subject.org, subject.principal
        if org is None or principal is None or not principal.active:
            log.info("sync skipped: principal not active", extra=ctx(org=org_id, principal=principal_id))
            self._leases.drop_pending(org_id, principal_id)
            return SyncReport(skipped="principal_not_active")
        try:
            report, again = self._sync_once(org, principal, force_full, (subject.state, subject.version))
            while again and report.follow_ups < FOLLOW_UPS:
                follow, again = self._sync_once(org, principal, False)
                follow.follow_ups = report.follow_ups + 1
                report = follow
        except RetryableError as exc:
            if not isinstance(exc, LeaseHeld) and attempt >= self._max_attempts:
                self._leases.drop_pending(org_id, principal_id)
            raise
        return report

    def _sync_once(
        self, org: Org, principal: Principal, force_full: bool, known: tuple[SyncState, str | None] | None = None
    ) -> tuple[SyncReport, bool]:
        """One leased sync; ``known`` is the state read with the org and principal (a race reads it again)."""
        with self._gates.hold(f"{org.id}/{principal.id}", LEASE.total_seconds()):
            return self._sync_leased(org, principal, force_full, known)

    def _sync_leased(
        self, org: Org, principal: Principal, force_full: bool, known: tuple[SyncState, str | None] | None
    ) -> tuple[SyncReport, bool]:
        lease = self._leases.acquire(org.id, principal.id, known)
        report = SyncReport()
        token = None if force_full else lease.state.sync_token
        try:
            api = SyncListing(self._calendar, org, principal)
            if token:
                try:
                    new_token = self._run(org, principal, api, report, sync_token=token)
                except SyncTokenExpired:
                    report.notes.append("sync token expired: full sync")
                    new_token = self._full(org, principal, api, report)
            else:
                new_token = self._full(org, principal, api, report)
        except BaseException:
            self._leases.release(lease)
            raise
        now = self._clock.now()
        changes: dict[str, object] = {"sync_token": new_token, "last_sync": now}
        if report.full:
            changes.update(last_full_sync=now, window_end=RetentionWindow.at(now).end)
        again = self._leases.release(lease, **changes)
        announce_status(self._bus, org, principal, report.status)
        log.info(
            "calendar synced",
            extra=ctx(
                org=org.id,
                principal=principal.id,
                full=report.full,
                events=report.events,
                stored=report.stored,
                deleted=report.deleted,
            ),
        )
        return report, again

    def ingest_slice(self, org_id: str, principal_id: str, start: datetime, end: datetime) -> SyncReport:
        """Ingest [start, end) without touching the sync token (the daily window advance)."""
        org = self._orgs.get_org(org_id)
        principal = self._principals.get_principal(org_id, principal_id)
        if org is None or principal is None or not principal.active:
            return SyncReport(skipped="principal_not_active")
        with self._gates.hold(f"{org_id}/{principal_id}", LEASE.total_seconds()):
            lease = self._leases.acquire(org_id, principal_id)
            report = SyncReport()
            try:
                api = SyncListing(self._calendar, org, principal)
                self._run(org, principal, api, report, time_min=start, time_max=end)
            except BaseException:
                self._leases.release(lease)
                raise
            again = self._leases.release(lease, window_end=end)
        if again:
            self.sync(org_id, principal_id)
        return report

    def _full(self, org: Org, principal: Principal, api: SyncListing, report: SyncReport) -> str | None:
        """Page the window unexpanded, 2,500 events a page (its sync token keeps later incremental syncs
        unexpanded too), then expand its series: one ``events.instances`` each for a few, one
        ``singleEvents`` listing for more."""
        report.full = True
        window = RetentionWindow.at(self._clock.now())
        full = FullPass(self._meetings.meeting_event_ids(org.id, principal.id))
        listed: list[CalendarEventPage] = []
        window_pages = series.pages(
            api, principal.email, time_min=window.start, time_max=window.end, max_results=series.WINDOW_PAGE
        )
        for page in window_pages:
            self._owners.beat()
            listed.append(page)
        masters = sum(1 for page in listed for e in page.events if e.is_recurring_master and not e.cancelled)
        if masters > series.FEW_SERIES:
            full.expanded = series.window_instances(api, principal, window, lambda: self._paged(report))
        token: str | None = None
        for page in listed:
            report.pages += 1
            token = page.next_sync_token or token
        # The whole window at once: chunks of full batches, each written in one transaction.
        self._applier.apply(org, principal, api, tuple(e for page in listed for e in page.events), report, full)
        gone = sorted(full.stored_before - full.seen)
        if gone:
            report.deleted += self._meetings.delete_meetings(org.id, principal.id, gone)
        return token

    # ------------------------------------------------------------ paging and applying

    def _paged(self, report: SyncReport) -> None:
        """One listing page read: counted, and this instance's heartbeat kept fresh."""
        report.pages += 1
        self._owners.beat()

    def _run(
        self,
        org: Org,
        principal: Principal,
        api: SyncListing,
        report: SyncReport,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
    ) -> str | None:
        next_token: str | None = None
        for page in series.pages(api, principal.email, sync_token=sync_token, time_min=time_min, time_max=time_max):
            self._paged(report)
            self._applier.apply(org, principal, api, page.events, report)
            next_token = page.next_sync_token or next_token
        return next_token
