"""The push webhook's use case: check a Calendar notification and hand it off, nothing more.

Only the ``X-Goog-*`` headers are read. A notification for a known, active channel with the
right token publishes one SyncCalendar message (ordering key = the calendar) unless a sync of
that calendar is already pending; a ``sync`` handshake costs nothing; an unknown or stopped
channel is answered 200 and asked to stop, so Google stops sending.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from shared.clock import Clock
from shared.domain.sync import ChannelState
from shared.errors import Conflict, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.messages import SyncCalendar
from shared.ports import MessageBus, Stores
from shared.topics import CALENDAR_SYNC

log = get_logger(__name__)
MAX_BODY = 4096
PENDING_STALE_AFTER = timedelta(minutes=10)
REQUIRED = ("x-goog-channel-id", "x-goog-resource-id", "x-goog-resource-state")


def token_hash(token: str) -> str:
    """The stored form of a channel token."""
    return hashlib.sha256(token.encode()).hexdigest()


def ordering_key(org_id: str, principal_id: str) -> str:
    """The ordering key that serialises work on one calendar."""
    return f"{org_id}/{principal_id}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the webhook answers: an HTTP status and a short machine-readable result."""

    status: int
    result: str


class WebhookService:
    """Validates push notifications and publishes calendar syncs."""

    def __init__(self, stores: Stores, bus: MessageBus, clock: Clock) -> None:
        self._stores, self._bus, self._clock = stores, bus, clock

    def handle(self, headers: Mapping[str, str], body_size: int) -> Outcome:
        """Handle one notification; the caller answers with ``Outcome.status``."""
        h = {k.lower(): v for k, v in headers.items()}
        if body_size > MAX_BODY:
            return Outcome(400, "body_too_large")
        if any(not h.get(name) for name in REQUIRED):
            return Outcome(400, "missing_channel_headers")
        channel_id, resource_id, state = h["x-goog-channel-id"], h["x-goog-resource-id"], h["x-goog-resource-state"]
        channel = self._stores.get_channel(channel_id)
        if channel is None or channel.state is ChannelState.STOPPED:
            if channel is not None:
                self._publish(
                    channel.org_id,
                    channel.principal_id,
                    reason="stop_channel",
                    channel_id=channel_id,
                    resource_id=resource_id,
                )
            log.info("notification for an unknown or stopped channel", extra=ctx(channel=channel_id))
            return Outcome(200, "unknown_channel")
        presented = h.get("x-goog-channel-token", "")
        if not hmac.compare_digest(token_hash(presented).encode(), channel.token_hash.encode()):
            log.warning("channel token mismatch", extra=ctx(channel=channel_id, org=channel.org_id))
            return Outcome(403, "token_mismatch")
        if state == "sync":
            return Outcome(200, "sync_handshake")
        number = h.get("x-goog-message-number", "")
        if not self._mark_pending(channel.org_id, channel.principal_id):
            return Outcome(200, "coalesced")
        try:
            self._publish(
                channel.org_id,
                channel.principal_id,
                reason="notification",
                channel_id=channel_id,
                message_number=int(number) if number.isdigit() else None,
            )
        except Exception:
            self._clear_pending(channel.org_id, channel.principal_id)
            raise
        return Outcome(200, "published")

    def _mark_pending(self, org_id: str, principal_id: str) -> bool:
        """Set the calendar's pending flag; False when a fresh sync is already pending."""
        now = self._clock.now()
        for _ in range(5):
            state, version = self._stores.get_sync_state(org_id, principal_id)
            if state.pending_fresh(now, PENDING_STALE_AFTER):
                return False
            try:
                self._stores.put_sync_state(
                    replace(state, pending=True, pending_since=now), if_version=version, create=version is None
                )
                return True
            except (PreconditionFailed, Conflict):
                continue
        return True  # heavy contention: publishing once more is harmless

    def _clear_pending(self, org_id: str, principal_id: str) -> None:
        state, version = self._stores.get_sync_state(org_id, principal_id)
        if version is not None and state.pending:
            try:
                self._stores.put_sync_state(
                    replace(state, pending=False, pending_since=None), if_version=version, create=False
                )
            except PreconditionFailed:
                return

    def _publish(
        self,
        org_id: str,
        principal_id: str,
        *,
        reason: str,
        channel_id: str,
        message_number: int | None = None,
        resource_id: str | None = None,
    ) -> None:
        message = SyncCalendar(
            org_id=org_id,
            principal_id=principal_id,
            reason=reason,
            channel_id=channel_id,
            message_number=message_number,
            resource_id=resource_id,
        )
        attributes = {"channel_id": channel_id, "reason": reason}
        if message_number is not None:
            attributes["message_number"] = str(message_number)
        self._bus.publish(
            CALENDAR_SYNC, message.encode(), ordering_key=ordering_key(org_id, principal_id), attributes=attributes
        )
