"""Applying listed events to one calendar's stored meetings, for the sync.

Each batch of events becomes meetings to write and event ids to delete: cancelled events (and a
cancelled master's stored instances) are deleted, a cancelled organiser event that carried join
details goes to the join rewrite first, recurring masters give their instances' meetings, and an
event outside the retention window is deleted. Meetings are written in chunks, each chunk in one
transaction with the rewrites it calls for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from shared.domain.conference import carries_service_meeting
from shared.domain.decisions import NOT_ORGANISER
from shared.domain.events import CalendarEvent
from shared.domain.keywords import find_keyword
from shared.domain.meetings import Meeting
from shared.domain.normalise import meeting_from_event
from shared.domain.principals import Org, Principal
from shared.domain.retention import RetentionWindow
from shared.domain.status_sources import touches_status
from shared.errors import InvalidInput
from shared.ports import MessageBus, SyncListing
from shared.ports.clock import Clock
from shared.ports.stores import DecisionRepository, MeetingRepository, Transactions
from shared.services import sync_series as series
from shared.services.rewrite_handoff import handoff, publish_rewrite

BATCH = 400


class SyncReport(msgspec.Struct):
    """What one sync did."""

    full: bool = False
    pages: int = 0
    events: int = 0
    stored: int = 0
    deleted: int = 0
    rewrites: int = 0
    skipped: str | None = None
    repaired: int = 0
    follow_ups: int = 0
    notes: list[str] = msgspec.field(default_factory=list)
    status: bool = False
    """Status events (or a meeting covering now) were stored or removed: presence is decided again."""


class FullPass(msgspec.Struct):
    """What a full sync knows while it applies the window: what was stored before it, what it has seen."""

    stored_before: set[str]
    seen: set[str] = msgspec.field(default_factory=set)
    expanded: dict[str, list[CalendarEvent]] | None = None
    """Every series' instances in the window by series id (one ``singleEvents`` listing), when read."""


class EventApplier:
    """Turns listed events into meeting writes and deletes on one calendar."""

    def __init__(
        self,
        meetings: MeetingRepository,
        decisions: DecisionRepository,
        transactions: Transactions,
        bus: MessageBus,
        clock: Clock,
    ) -> None:
        self._meetings, self._decisions, self._transactions = meetings, decisions, transactions
        self._bus, self._clock = bus, clock

    def apply(
        self,
        org: Org,
        principal: Principal,
        api: SyncListing,
        events: tuple[CalendarEvent, ...],
        report: SyncReport,
        full: FullPass | None = None,
    ) -> None:
        """Apply one batch of events (one listing page, or a full sync's whole window)."""
        now = self._clock.now()
        window = RetentionWindow.at(now)
        upserts: list[Meeting] = []
        deletes: list[str] = []
        releases: list[str] = []
        master_keywords: dict[str, str | None] = {}
        for event in events:
            report.events += 1
            if event.cancelled:
                if self._carries_join_details(org, principal, event.id, now, full):
                    releases.append(event.id)
                deletes.append(event.id)
                if event.recurring_event_id is None:
                    deletes.extend(self._series_ids(org.id, principal.id, event.id, full))
                continue
            if event.is_recurring_master:
                master_keywords[event.id] = find_keyword(event.location, org.keywords)
                if full is None or full.expanded is None:
                    pages = report_page(report)
                    instances = series.instances_of(api, org, principal, event, window, pages)
                else:
                    instances = series.series_meetings(org, principal, full.expanded.get(event.id, ()))
                keep = {m.event_id for m in instances}
                if full is None:
                    deletes.extend(sorted(set(self._series_ids(org.id, principal.id, event.id, full)) - keep))
                else:  # a full sync: what it did not see goes at its end, stale instances with the rest
                    full.seen.update(keep)
                upserts.extend(instances)
                continue
            try:
                meeting = meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
            except InvalidInput:
                report.notes.append("event without start or end skipped")
                continue
            if window.overlaps(meeting.start, meeting.end):
                upserts.append(meeting)
                if full is not None:
                    full.seen.add(meeting.event_id)
            else:
                deletes.append(event.id)
        report.status = report.status or any(e.cancelled for e in events) or touches_status(upserts, now)
        self._write(org, principal, upserts, master_keywords, report, now)
        if deletes:
            with self._transactions.atomic():
                for event_id in releases:
                    publish_rewrite(self._bus, org, principal, event_id)
                report.deleted += self._meetings.delete_meetings(org.id, principal.id, sorted(set(deletes)))

    def _write(
        self,
        org: Org,
        principal: Principal,
        upserts: list[Meeting],
        master_keywords: dict[str, str | None],
        report: SyncReport,
        now: datetime,
    ) -> None:
        # Each chunk's meetings and the rewrites they call for commit together (an outbox where the store
        # has transactions), so a crash between the two can neither lose a rewrite nor leave a stray one.
        not_organiser = self._not_organiser(org, principal)
        for start in range(0, len(upserts), BATCH):
            chunk = upserts[start : start + BATCH]
            with self._transactions.atomic():
                report.rewrites += handoff(self._bus, org, principal, chunk, master_keywords, not_organiser)
                report.stored += self._meetings.put_meetings(chunk, now)

    def _not_organiser(self, org: Org, principal: Principal) -> Callable[[str], None]:
        """Record why a keyword on an attendee's or a room's copy gets no join details."""

        def record(event_id: str) -> None:
            self._decisions.record_decision(org.id, principal.id, event_id, "skipped", NOT_ORGANISER, self._clock.now())

        return record

    def _series_ids(self, org_id: str, principal_id: str, series_id: str, full: FullPass | None) -> list[str]:
        if full is not None and not full.stored_before:
            return []  # nothing was stored for this calendar before this full sync
        return self._meetings.series_event_ids(org_id, principal_id, series_id)

    def _carries_join_details(
        self, org: Org, principal: Principal, event_id: str, now: datetime, full: FullPass | None
    ) -> bool:
        """A cancelled organiser event that carried join details goes to the rewrite, which releases them."""
        if full is not None and event_id not in full.stored_before:
            return False  # not stored before this full sync: it carried nothing of ours
        stored = self._meetings.get_meeting(org.id, principal.id, event_id, now)
        return stored is not None and stored.is_organizer_copy and carries_service_meeting(stored)


def report_page(report: SyncReport) -> Callable[[], None]:
    """A callback that counts one listing page read into ``report``."""

    def count() -> None:
        report.pages += 1

    return count
