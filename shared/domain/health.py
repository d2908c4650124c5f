"""Org health and alert webhooks: thresholds, alert kinds, hooks, alerts and their deliveries.

An alert is one change (a principal entering ``error``, a channel that cannot be renewed, a
stalled sync, dead letters appearing); its id is derived from what changed, so noticing the same
change twice records one alert. Each alert is delivered to every hook the org had when it was
raised, at most ``len(RETRY_DELAYS) + 1`` times per hook, then the delivery is marked failed
(the alert itself stays recorded).
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import msgspec
from msgspec.structs import replace

from shared.errors import InvalidInput

STALL_AFTER = timedelta(hours=26)
"""A sync older than this is stalled: every calendar gets a reconciling full sync each 24 h, plus 2 h slack."""
EXPIRING_WITHIN = timedelta(hours=24)
"""Channels expiring within this are shown; renewal starts a day ahead, so one still here after maintenance failed."""
LIGHT_CHECK_AFTER = timedelta(hours=6)
"""Active principals with no successful sync for this long get a light re-validation in maintenance."""
POLL_PERIOD = timedelta(minutes=5)
"""The vacation poll's period; a lag beyond twice this is flagged."""
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
"""Backoff between delivery attempts of one alert to one hook (5 attempts in all)."""
MAX_HOOKS = 10
MAX_URL = 2048


class AlertKind(StrEnum):
    """What an alert is about."""

    PRINCIPAL_ERROR = "principal.error"
    CHANNEL_RENEWAL_FAILED = "channel.renewal_failed"
    SYNC_STALLED = "sync.stalled"
    DEAD_LETTERS = "dead_letters.appeared"
    TEST = "test"


class DeliveryState(StrEnum):
    """Where one alert's delivery to one hook stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class AlertHook(msgspec.Struct, frozen=True):
    """A registered webhook: its URL and its Standard Webhooks secret (both sealed at rest)."""

    org_id: str
    id: str
    url: str
    secret: str
    created_at: datetime


class Delivery(msgspec.Struct, frozen=True):
    """One alert's delivery to one hook: attempts made, when the next is due, the last answer."""

    hook_id: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_at: datetime | None = None
    last_status: str | None = None
    delivered_at: datetime | None = None

    def after(self, ok: bool, status: str, now: datetime) -> Delivery:
        """This delivery after one attempt that answered ``status``."""
        attempts = self.attempts + 1
        if ok:
            return replace(
                self,
                state=DeliveryState.DELIVERED,
                attempts=attempts,
                last_status=status,
                next_at=None,
                delivered_at=now,
            )
        if attempts > len(RETRY_DELAYS):
            return replace(self, state=DeliveryState.FAILED, attempts=attempts, last_status=status, next_at=None)
        return replace(self, attempts=attempts, last_status=status, next_at=now + RETRY_DELAYS[attempts - 1])


class Alert(msgspec.Struct, frozen=True):
    """One change worth telling admins about, with its deliveries (one per hook)."""

    org_id: str
    id: str
    kind: AlertKind
    data: dict[str, object]
    created_at: datetime
    deliveries: tuple[Delivery, ...] = ()

    @property
    def pending(self) -> bool:
        """True while some delivery waits for an attempt."""
        return any(d.state is DeliveryState.PENDING for d in self.deliveries)

    def due(self, now: datetime) -> bool:
        """True when some pending delivery is due at ``now``."""
        return any(
            d.state is DeliveryState.PENDING and (d.next_at is None or d.next_at <= now) for d in self.deliveries
        )


def alert_id(org_id: str, kind: AlertKind, *key: str) -> str:
    """The idempotent id of the alert for one change (the same change always gives the same id)."""
    text = "\x1f".join((org_id, kind.value, *key))
    return "alert_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def check_hook_url(url: str) -> str:
    """The URL if alerts may go there: https, or http only to a loopback address; InvalidInput otherwise."""
    if len(url) > MAX_URL:
        raise InvalidInput(f"the alert URL is longer than {MAX_URL} characters")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput("the alert URL must be an absolute https URL")
    if parts.username or parts.password:
        raise InvalidInput("the alert URL must not carry credentials")
    if parts.scheme == "http" and not _loopback(host):
        raise InvalidInput("the alert URL must use https (plain http only to a loopback address)")
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
