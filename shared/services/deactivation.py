"""Deactivation's second pass: whatever work in flight wrote for a principal after its data was destroyed.

Deactivating a principal destroys its data and shreds its key while other instances may be in the
middle of work for it: a sync between its page and its write, a vacation check waiting on Gmail, a
join-detail rewrite or an add-on request waiting on Google, a channel renewed just before. Each of
those writes with the principal's id when it returns, and a sealed field makes a key for it again.
Every maintenance run looks at the principals deactivated in the last ``HORIZON`` (longer than any
message is retried): one with a key or a sync state stored again has its data destroyed once more,
and a channel left active for it is marked stopped, so that Google's next push on it is asked to stop.
"""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace

from shared.domain.sync import ChannelState
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock
from shared.ports.stores import ChannelRepository, OrgRepository, PrincipalRepository

log = get_logger(__name__)
HORIZON = timedelta(days=8)
"""How long after a deactivation its second pass looks (a channel lives 7 days; a message is retried for less)."""


class DeactivationSweep:
    """Destroys again what was written for a principal after its deactivation destroyed its data."""

    def __init__(
        self, orgs: OrgRepository, principals: PrincipalRepository, channels: ChannelRepository, clock: Clock
    ) -> None:
        self._orgs, self._principals, self._channels, self._clock = orgs, principals, channels, clock

    def sweep(self) -> int:
        """Look at every principal deactivated within the horizon; answer how many had data destroyed again."""
        since = self._clock.now() - HORIZON
        destroyed = 0
        for org in self._orgs.list_orgs():
            for principal_id in self._principals.deactivated_since(org.id, since):
                for channel in self._channels.channels_of(org.id, principal_id):
                    if channel.state is ChannelState.ACTIVE:
                        self._channels.put_channel(replace(channel, state=ChannelState.STOPPED))
                        log.warning("channel of a deactivated calendar stopped", extra=ctx(org=org.id))
                if self._principals.principal_data_left(org.id, principal_id):
                    self._principals.destroy_principal_data(org.id, principal_id)
                    destroyed += 1
                    log.warning(
                        "data written after deactivation destroyed", extra=ctx(org=org.id, principal=principal_id)
                    )
        return destroyed
