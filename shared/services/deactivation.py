"""Deactivation's second pass: whatever work in flight wrote for a principal after its data was destroyed.

Deactivating a principal destroys its data and shreds its key while other instances may be in the
middle of work for it: a sync between its page and its write, a vacation check waiting on Gmail, a
join-detail rewrite or an add-on request waiting on Google, a channel renewed just before. Each of
those writes with the principal's id when it returns: with a key made again, or with the key another
instance still holds in its cache for a few minutes. Every maintenance run looks at the principals
deactivated in the last ``HORIZON`` (longer than any message is retried), each read again first (one
activated meanwhile is left alone): one with any of its data stored again has it destroyed once more,
and a channel left active for it is marked stopped, so that Google's next push on it is asked to stop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from msgspec.structs import replace

from shared.domain.principals import Org, Principal, PrincipalState
from shared.domain.sync import ChannelState
from shared.errors import HybridCalendarError
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock
from shared.ports.stores import ChannelRepository, PrincipalRepository

log = get_logger(__name__)
HORIZON = timedelta(days=8)
"""How long after a deactivation its second pass looks (a channel lives 7 days; a message is retried for less)."""


class DeactivationSweep:
    """Destroys again what was written for a principal after its deactivation destroyed its data."""

    def __init__(self, principals: PrincipalRepository, channels: ChannelRepository, clock: Clock) -> None:
        self._principals, self._channels, self._clock = principals, channels, clock

    def sweep(self, orgs: Iterable[Org]) -> int:
        """Look at every principal of ``orgs`` deactivated within the horizon; answer how many had data destroyed
        again. A failure with one principal is logged and the others are still looked at (the next run tries it again).
        """
        since = self._clock.now() - HORIZON
        destroyed = 0
        for org in orgs:
            for principal_id in self._principals.deactivated_since(org.id, since):
                try:
                    destroyed += self._again(org.id, principal_id, since)
                except HybridCalendarError as exc:
                    log.warning(
                        "deactivation's second pass failed for a principal",
                        extra=ctx(org=org.id, principal=principal_id, error_code=exc.code),
                    )
        return destroyed

    def _again(self, org_id: str, principal_id: str, since: datetime) -> int:
        principal = self._principals.get_principal(org_id, principal_id)  # read again: activated meanwhile?
        if principal is None or not _deactivated_since(principal, since):
            return 0
        if mark_channels_stopped(self._channels, org_id, principal_id):
            log.warning("channel of a deactivated calendar stopped", extra=ctx(org=org_id))
        if not self._principals.principal_data_left(org_id, principal_id):
            return 0
        self._principals.destroy_principal_data(org_id, principal_id)
        log.warning("data written after deactivation destroyed", extra=ctx(org=org_id, principal=principal_id))
        return 1


def mark_channels_stopped(channels: ChannelRepository, org_id: str, principal_id: str) -> int:
    """Mark the calendar's active channels stopped, so that Google's next push on one is asked to stop; how many."""
    active = [c for c in channels.channels_of(org_id, principal_id) if c.state is ChannelState.ACTIVE]
    for channel in active:
        channels.put_channel(replace(channel, state=ChannelState.STOPPED))
    return len(active)


def _deactivated_since(principal: Principal, since: datetime) -> bool:
    at = principal.deactivated_at
    return principal.state is PrincipalState.DEACTIVATED and at is not None and at >= since
