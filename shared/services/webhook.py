"""The push webhook's use case: check a Calendar notification and hand it off, nothing more.

Only the ``X-Goog-*`` headers are read, and each is checked before use (a malformed one is a
400). The channel token is checked before anything is done for a channel. A notification for
a known, active channel publishes one SyncCalendar message (ordering key = the calendar) unless
a sync of that calendar is already pending (read once, outside any transaction); the pending
flag, set by compare-and-set at the version read, and the message commit together where the
store has transactions. A ``sync`` handshake costs nothing; an unknown channel is
answered 200 with no work; a stopped channel is answered 200 and asked to stop once (not once
per notification), so Google stops sending. Channel and resource ids are never logged at INFO.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from shared.domain.sync import ChannelState, WatchChannel
from shared.domain.tokens import token_hash
from shared.logs import ctx, get_logger
from shared.ports.messages import StopChannel, SyncCalendar
from shared.services.sync_lease import SyncLeases

if TYPE_CHECKING:
    from shared.ports import MessageBus
    from shared.ports.clock import Clock
    from shared.ports.stores import ChannelRepository, SyncStateRepository, Transactions

log = get_logger(__name__)
MAX_BODY = 4096
STOP_AGAIN_AFTER = timedelta(hours=1)
REQUIRED = ("x-goog-channel-id", "x-goog-resource-id", "x-goog-resource-state")
CHANNEL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
RESOURCE_ID = re.compile(r"^[A-Za-z0-9_.=+-]{1,256}$")
RESOURCE_STATES = frozenset({"sync", "exists", "not_exists"})


class Outcome(StrEnum):
    """What became of one notification (the value is the short machine-readable result answered)."""

    BODY_TOO_LARGE = "body_too_large"
    MISSING_CHANNEL_HEADERS = "missing_channel_headers"
    INVALID_CHANNEL_HEADERS = "invalid_channel_headers"
    UNKNOWN_CHANNEL = "unknown_channel"
    """No such channel, or a stopped one (asked to stop)."""
    TOKEN_MISMATCH = "token_mismatch"
    SYNC_HANDSHAKE = "sync_handshake"
    COALESCED = "coalesced"
    """A sync of the calendar was already pending."""
    PUBLISHED = "published"


class WebhookService:
    """Validates push notifications and publishes calendar syncs."""

    def __init__(
        self,
        channels: ChannelRepository,
        transactions: Transactions,
        sync_states: SyncStateRepository,
        bus: MessageBus,
        clock: Clock,
    ) -> None:
        self._channels, self._transactions = channels, transactions
        self._bus, self._clock = bus, clock
        self._leases = SyncLeases(sync_states, clock)

    def handle(self, headers: Mapping[str, str], body_size: int) -> Outcome:
        """Handle one notification; the entry point chooses the HTTP status for the outcome."""
        h = {k.lower(): v for k, v in headers.items()}
        if body_size > MAX_BODY:
            return Outcome.BODY_TOO_LARGE
        if any(not h.get(name) for name in REQUIRED):
            return Outcome.MISSING_CHANNEL_HEADERS
        channel_id, resource_id, state = h["x-goog-channel-id"], h["x-goog-resource-id"], h["x-goog-resource-state"]
        if not CHANNEL_ID.match(channel_id) or not RESOURCE_ID.match(resource_id) or state not in RESOURCE_STATES:
            return Outcome.INVALID_CHANNEL_HEADERS
        channel = self._channels.get_channel(channel_id)
        if channel is None:
            log.debug("notification for an unknown channel")
            return Outcome.UNKNOWN_CHANNEL
        # The token comes first: nothing is done for a channel, stopped or not, without it.
        presented = h.get("x-goog-channel-token", "")
        if not hmac.compare_digest(token_hash(presented).encode(), channel.token_hash.encode()):
            log.debug("channel token mismatch", extra=ctx(org=channel.org_id))
            return Outcome.TOKEN_MISMATCH
        if channel.state is ChannelState.STOPPED:
            self._ask_to_stop(channel, resource_id)
            return Outcome.UNKNOWN_CHANNEL
        if state == "sync":
            return Outcome.SYNC_HANDSHAKE
        number = h.get("x-goog-message-number", "")
        known = self._leases.read(channel.org_id, channel.principal_id)
        if self._leases.pending_fresh(known[0]):  # a burst while a sync is queued: one read, no transaction
            return Outcome.COALESCED
        try:
            with self._transactions.atomic():  # the flag and the message commit together where the store allows it
                if not self._leases.mark_pending(channel.org_id, channel.principal_id, known):
                    return Outcome.COALESCED
                sync = SyncCalendar(
                    org_id=channel.org_id,
                    principal_id=channel.principal_id,
                    channel_id=channel_id,
                    message_number=int(number) if number.isdigit() and len(number) < 19 else None,
                )
                self._bus.send(sync)
        except Exception:
            self._leases.drop_pending(channel.org_id, channel.principal_id)
            raise
        return Outcome.PUBLISHED

    def _ask_to_stop(self, channel: WatchChannel, resource_id: str) -> None:
        """Publish one ``stop_channel`` per stopped channel (again only after an hour), however often Google sends."""
        now = self._clock.now()
        asked = channel.stop_requested_at
        if asked is not None and now - asked < STOP_AGAIN_AFTER:
            return
        with self._transactions.atomic():
            if not self._channels.mark_stop_requested(channel.id, now, seen=asked):
                return
            stop = StopChannel(
                org_id=channel.org_id, principal_id=channel.principal_id, channel_id=channel.id, resource_id=resource_id
            )
            self._bus.send(stop)
        log.debug("stopped channel asked to stop", extra=ctx(org=channel.org_id))
