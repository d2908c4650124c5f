"""Presence: poll every active principal's Gmail vacation responder in batches, decide presence with
the synced Calendar status events (out of office > focus time > an accepted meeting in progress >
available, working location beside it), store it encrypted and announce only changes."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain.principals import Org, Principal, PrincipalKind
from shared.domain.status_sources import with_calendar_status
from shared.domain.vacation import decide, last_responder, ooo_events_in_effect
from shared.errors import Forbidden, HybridCalendarError, RetryableError, Unauthenticated
from shared.logs import ctx, get_logger
from shared.ports import MessageBus
from shared.ports.clock import Clock
from shared.ports.directory import VacationReader
from shared.ports.messages import CheckVacation, PresenceChanged
from shared.ports.stores import MeetingRepository, OrgRepository, PresenceRepository, PrincipalRepository

log = get_logger(__name__)
BATCH = 100


@dataclass(slots=True)
class CheckReport:
    """What one vacation-check batch did."""

    checked: int = 0
    changed: int = 0
    skipped: int = 0
    failed: int = 0


class PresenceService:
    """Polls vacation responders and keeps presence up to date."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        meetings: MeetingRepository,
        presence: PresenceRepository,
        bus: MessageBus,
        reader: VacationReader,
        clock: Clock,
        concurrency: int = 8,
        on_change: Callable[[str, str], None] | None = None,
        on_refused: Callable[[Org, Principal, HybridCalendarError], object] | None = None,
    ) -> None:
        self._orgs, self._principals, self._meetings, self._presence = orgs, principals, meetings, presence
        self._bus, self._reader, self._clock = bus, reader, clock
        self._concurrency = concurrency
        self._on_change = on_change
        self._on_refused = on_refused  # Google refused a principal's call (a revoked delegation, say)

    def poll(self) -> int:
        """Fan out every org's active people in batches over vacation-check; return the batch count."""
        batches = 0
        for org in self._orgs.list_orgs():
            ids = [
                p.id
                for p in self._principals.list_principals(org.id, active_only=True)
                if p.kind is PrincipalKind.PERSON and p.presence_enabled
            ]
            for start in range(0, len(ids), BATCH):
                message = CheckVacation(org_id=org.id, principal_ids=tuple(ids[start : start + BATCH]))
                self._bus.send(message)
                batches += 1
        return batches

    def check(self, message: CheckVacation) -> CheckReport:
        """Read each principal's responder (bounded concurrency) and store presence that changed."""
        report = CheckReport()
        org = self._orgs.get_org(message.org_id)
        if org is None:
            report.skipped = len(message.principal_ids)
            return report
        context = contextvars.copy_context()  # the caller's log context goes with each check
        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            outcomes = list(
                pool.map(
                    lambda pid: context.copy().run(self._check_one, org, pid, message.calendar_only),
                    message.principal_ids,
                )
            )
        for outcome in outcomes:
            setattr(report, outcome, getattr(report, outcome) + 1)
        retryable = report.failed and report.checked + report.changed == 0
        if retryable:
            raise RetryableError("every vacation check of this batch failed; retry later")
        return report

    def _check_one(self, org: Org, principal_id: str, calendar_only: bool = False) -> str:
        principal = self._principals.get_principal(org.id, principal_id)
        if principal is None or not principal.active or not principal.presence_enabled:
            return "skipped"
        now = self._clock.now()
        if calendar_only:  # right after a sync: the responder as the last poll left it, no Gmail call
            responder = last_responder(self._presence.get_presence(org.id, principal.id))
        else:
            try:
                responder = self._reader.vacation_for(org, principal)
            except (Forbidden, Unauthenticated) as exc:
                if self._on_refused is not None:
                    self._on_refused(org, principal, exc)
                return "failed"
            except HybridCalendarError as exc:
                log.warning("vacation check failed", extra=ctx(org=org.id, principal=principal.id, error_code=exc.code))
                return "failed"
        meetings = self._meetings.list_meetings(
            org.id, principal.id, now - timedelta(days=7), now + timedelta(seconds=1), now
        )
        ooo = ooo_events_in_effect(meetings, now)
        presence = decide(org.id, principal.id, responder, ooo, now)
        presence = with_calendar_status(presence, meetings, principal.email, now)
        return "changed" if self._store_if_changed(presence) else "checked"

    def _store_if_changed(self, presence: Any) -> bool:
        current = self._presence.get_presence(presence.org_id, presence.principal_id)
        if presence.same_as(current):
            return False
        self._presence.put_presence(presence)
        self._bus.send(PresenceChanged(org_id=presence.org_id, principal_id=presence.principal_id))
        if self._on_change is not None:
            self._on_change(presence.org_id, presence.principal_id)
        return True
