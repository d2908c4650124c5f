"""Channel lifecycle and repair: watch, renew with overlap, stop, advance the window, reconcile.

``maintain_channels`` runs this on the scheduler: channels close to expiry are renewed (the new
channel first, then ``channels.stop`` of the old one), every calendar's window is advanced daily
by ingesting the day that just entered it, and a bounded full resync repairs whatever a lost
notification missed. Sweeps given by the composition root run last (the add-on's reservations
that Calendar never saved are released there: ``released``).
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from msgspec.structs import replace

from shared.domain.principals import Org, Principal
from shared.domain.retention import RetentionWindow
from shared.domain.sync import ChannelState, WatchChannel
from shared.domain.tokens import token_hash
from shared.errors import HybridCalendarError, NotFound, PermanentError
from shared.logs import ctx, get_logger
from shared.ports import SyncCalendar
from shared.ports.calendar import WatchRequest
from shared.ports.clock import Clock
from shared.ports.stores import (
    ChannelRepository,
    MeetingRepository,
    OrgRepository,
    PrincipalRepository,
    SyncStateRepository,
)

if TYPE_CHECKING:
    from shared.services.sync import SyncService

log = get_logger(__name__)
CHANNEL_TTL = timedelta(days=7)
RENEW_BEFORE = timedelta(days=1)
RECONCILE_EVERY = timedelta(hours=24)


@dataclass(slots=True)
class MaintenanceReport:
    """What one maintenance run did."""

    renewed: int = 0
    stopped: int = 0
    advanced: int = 0
    reconciled: int = 0
    repaired: int = 0
    released: int = 0
    redestroyed: int = 0
    """Principals whose data in-flight work wrote again after their deactivation, destroyed once more."""
    repaired_per_org: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


class ChannelService:
    """Opens, renews and stops watch channels; advances and reconciles calendars.

    ``sync`` gives the sync service when a calendar is first advanced or reconciled (a run that renews
    channels alone never makes it, nor imports the normaliser).
    """

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        meetings: MeetingRepository,
        sync_states: SyncStateRepository,
        channels: ChannelRepository,
        calendar: SyncCalendar,
        sync: Callable[[], SyncService],
        clock: Clock,
        public_url: str | None,
        sweeps: Sequence[Callable[[], int]] = (),
        after_deactivation: Callable[[Sequence[Org]], int] | None = None,
    ) -> None:
        self._orgs, self._principals, self._meetings, self._sync_states, self._channels = (
            orgs,
            principals,
            meetings,
            sync_states,
            channels,
        )
        self._calendar, self._sync, self._clock = calendar, sync, clock
        self._public_url = public_url
        self._sweeps = tuple(sweeps)
        self._after_deactivation = after_deactivation

    @property
    def address(self) -> str:
        """Where Google must send notifications."""
        if not self._public_url:
            raise PermanentError("HYBRIDCAL_PUBLIC_URL is not set: Google cannot reach the webhook")
        return f"{self._public_url}/calendar_webhook"

    def watch(self, org: Org, principal: Principal) -> WatchChannel:
        """Open a channel on the principal's calendar; the token is stored only as a hash."""
        token = secrets.token_urlsafe(32)
        channel_id = uuid.uuid4().hex
        ttl = int(CHANNEL_TTL.total_seconds())
        info = self._calendar.watch(org, principal, principal.email, WatchRequest(channel_id, token, self.address, ttl))
        channel = WatchChannel(
            id=info.id,
            org_id=org.id,
            principal_id=principal.id,
            resource_id=info.resource_id,
            token_hash=token_hash(token),
            expiration=info.expiration,
            created_at=self._clock.now(),
        )
        self._channels.put_channel(channel)
        return channel

    def stop(self, org: Org, principal: Principal, channel: WatchChannel) -> None:
        """Stop one channel at Google (already gone counts as stopped) and mark it stopped."""
        with contextlib.suppress(NotFound):
            self._calendar.stop_channel(org, principal, channel.id, channel.resource_id)
        self._channels.put_channel(replace(channel, state=ChannelState.STOPPED))

    def stop_unwanted(self, org_id: str, principal_id: str, channel_id: str, resource_id: str | None) -> bool:
        """Stop a channel Google still sends to although we stopped or never knew it; True if asked."""
        org = self._orgs.get_org(org_id)
        principal = self._principals.get_principal(org_id, principal_id)
        channel = self._channels.get_channel(channel_id)
        if org is None or principal is None or channel is None or not resource_id:
            return False
        with contextlib.suppress(NotFound):
            self._calendar.stop_channel(org, principal, channel_id, resource_id)
        return True

    def stop_all(self, org: Org, principal: Principal) -> int:
        """Stop every active channel of a principal (deactivation)."""
        count = 0
        for channel in self._channels.channels_of(org.id, principal.id):
            if channel.state is ChannelState.ACTIVE:
                self.stop(org, principal, channel)
                count += 1
        return count

    def renew(self, org: Org, principal: Principal) -> int:
        """Renew channels close to expiry: open the new one, then stop the old one."""
        now = self._clock.now()
        channels = [c for c in self._channels.channels_of(org.id, principal.id) if c.state is ChannelState.ACTIVE]
        if not channels:
            self.watch(org, principal)
            return 1
        renewed = 0
        if all(c.needs_renewal(now, RENEW_BEFORE) for c in channels):
            self.watch(org, principal)
            renewed = 1
            for old in channels:
                self.stop(org, principal, old)
        return renewed

    def advance(self, org: Org, principal: Principal) -> bool:
        """Ingest the days that entered the window since the last advance, once a day."""
        state, _ = self._sync_states.get_sync_state(org.id, principal.id)
        window = RetentionWindow.at(self._clock.now())
        if state.window_end is None or window.end - state.window_end < timedelta(days=1):
            return False
        self._sync().ingest_slice(org.id, principal.id, state.window_end, window.end)
        return True

    def maintain(self) -> MaintenanceReport:
        """Renew, advance and (when due) reconcile every active principal of every org."""
        report = MaintenanceReport()
        now = self._clock.now()
        orgs = self._orgs.list_orgs()
        for org in orgs:
            for principal in self._principals.list_principals(org.id, active_only=True):
                try:
                    report.renewed += self.renew(org, principal)
                    report.advanced += int(self.advance(org, principal))
                    state, _ = self._sync_states.get_sync_state(org.id, principal.id)
                    if state.last_full_sync is None or now - state.last_full_sync >= RECONCILE_EVERY:
                        report.reconciled += 1
                        repaired = self.reconcile(org, principal)
                        report.repaired += repaired
                        report.repaired_per_org[org.id] = report.repaired_per_org.get(org.id, 0) + repaired
                except HybridCalendarError as exc:
                    report.failures.append(exc.code)
                    log.warning(
                        "maintenance failed for a principal",
                        extra=ctx(org=org.id, principal=principal.id, error_code=exc.code),
                    )
        for sweep in self._sweeps:
            try:
                report.released += sweep()
            except HybridCalendarError as exc:
                report.failures.append(exc.code)
        if self._after_deactivation is not None:
            try:
                report.redestroyed = self._after_deactivation(orgs)
            except HybridCalendarError as exc:
                report.failures.append(exc.code)
        return report

    def reconcile(self, org: Org, principal: Principal) -> int:
        """A bounded full resync; return how many meetings it repaired (written or deleted)."""
        before = self._meetings.meeting_etags(org.id, principal.id)
        self._sync().sync(org.id, principal.id, force_full=True)
        after = self._meetings.meeting_etags(org.id, principal.id)
        repaired = sum(1 for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        if repaired:
            log.info("reconcile repaired meetings", extra=ctx(org=org.id, principal=principal.id, repaired=repaired))
        return repaired
