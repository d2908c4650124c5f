"""What activation and deactivation do beyond the principal record: initial sync, watch, stop."""

from __future__ import annotations

from shared.domain.principals import Org, Principal
from shared.services.channels import ChannelService
from shared.services.sync import SyncService


class ActivationFlow:
    """Initial full sync and a watch after validation; channels stopped before deactivation."""

    def __init__(self, sync: SyncService, channels: ChannelService) -> None:
        self._sync, self._channels = sync, channels

    def after_validation(self, org: Org, principal: Principal) -> None:
        """Sync the whole window, then open a watch channel."""
        self._sync.sync(org.id, principal.id, force_full=True)
        self._channels.watch(org, principal)

    def before_deactivation(self, org: Org, principal: Principal) -> None:
        """Stop every channel of the principal."""
        self._channels.stop_all(org, principal)
