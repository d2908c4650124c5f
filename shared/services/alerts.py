"""Alert webhooks: register, list, remove and test an org's hooks; raise alerts once; deliver them signed.

Each alert is one JSON event, signed with the Standard Webhooks scheme (``webhook-id`` = the
alert's idempotent id, ``webhook-timestamp``, ``webhook-signature`` = ``v1,`` HMAC-SHA256 over
``id.timestamp.body`` with the hook's ``whsec_`` secret) by the ``standardwebhooks`` library.
Raising the same change twice records one alert (its id comes from the change). Delivery is
tried at once and then by every maintenance run and vacation poll, following the recorded
attempt schedule (``RETRY_DELAYS``); a 2xx answer delivers, anything else retries until the
attempts are spent and the delivery is marked failed. The alert and its payload stay recorded
either way, so nothing is lost and admins see each delivery's state.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from msgspec.structs import replace
from standardwebhooks import Webhook

from shared.domain.health import (
    MAX_HOOKS,
    Alert,
    AlertHook,
    AlertKind,
    Delivery,
    DeliveryState,
    alert_id,
    check_hook_url,
)
from shared.errors import Conflict, InvalidInput, NotFound
from shared.logs import ctx, get_logger
from shared.ports import Stores
from shared.ports.clock import Clock
from shared.ports.health import HealthRecords

log = get_logger(__name__)
Post = Callable[[str, bytes, dict[str, str]], str]
"""Send one body with headers to a URL; return the HTTP status as text (or ``timeout`` / ``transport_error``)."""


def new_secret() -> str:
    """A fresh Standard Webhooks secret (``whsec_`` and 32 random bytes in base64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed(hook: AlertHook, message_id: str, body: str, clock: Clock) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` sent now to ``hook``."""
    now = clock.now()
    signature = Webhook(hook.secret).sign(message_id, now, body)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


class AlertService:
    """An org's alert hooks and alerts."""

    def __init__(self, stores: Stores, records: HealthRecords, clock: Clock, post: Post) -> None:
        self._stores, self._records, self._clock, self._post = stores, records, clock, post

    def _org(self, org_id: str) -> None:
        if self._stores.orgs.get_org(org_id) is None:
            raise NotFound(f"no org {org_id!r}")

    # ------------------------------------------------------------ hooks

    def add_hook(self, org_id: str, url: str) -> AlertHook:
        """Register a hook for ``url`` with a new secret (shown to the caller once)."""
        self._org(org_id)
        check_hook_url(url)
        if len(self._records.hooks(org_id)) >= MAX_HOOKS:
            raise InvalidInput(f"an org has at most {MAX_HOOKS} alert hooks")
        hook = AlertHook(org_id, "hook_" + uuid.uuid4().hex[:16], url, new_secret(), self._clock.now())
        self._records.add_hook(hook)
        log.info("alert hook added", extra=ctx(org=org_id, hook=hook.id))
        return hook

    def hooks(self, org_id: str) -> list[AlertHook]:
        """The org's hooks."""
        self._org(org_id)
        return self._records.hooks(org_id)

    def remove_hook(self, org_id: str, hook_id: str) -> None:
        """Remove a hook; NotFound when the org has none with that id."""
        self._org(org_id)
        if not self._records.delete_hook(org_id, hook_id):
            raise NotFound("no such alert hook")

    def test_hook(self, org_id: str, hook_id: str) -> Alert:
        """Send a signed test event to one hook now (recorded like every alert, retried if it fails)."""
        hook = next((h for h in self.hooks(org_id) if h.id == hook_id), None)
        if hook is None:
            raise NotFound("no such alert hook")
        now = self._clock.now()
        data: dict[str, object] = {"hook": hook.id, "at": now.isoformat()}
        alert = Alert(
            org_id,
            alert_id(org_id, AlertKind.TEST, hook.id, now.isoformat()),
            AlertKind.TEST,
            data,
            now,
            (Delivery(hook.id),),
        )
        if not self._records.add_alert(alert):
            raise Conflict("a test event was just sent to this hook")
        return self._deliver(alert, {hook.id: hook})

    # ------------------------------------------------------------ alerts

    def raise_alert(self, org_id: str, kind: AlertKind, key: tuple[str, ...], data: dict[str, object]) -> bool:
        """Record the alert for one change (once) and try to deliver it; True when this call raised it."""
        hooks = self._records.hooks(org_id)
        now = self._clock.now()
        alert = Alert(org_id, alert_id(org_id, kind, *key), kind, data, now, tuple(Delivery(h.id) for h in hooks))
        if not self._records.add_alert(alert):
            return False
        log.info("alert raised", extra=ctx(org=org_id, kind=kind.value, alert=alert.id, hooks=len(hooks)))
        if hooks:
            self._deliver(alert, {h.id: h for h in hooks})
        return True

    def alerts(self, org_id: str, limit: int = 100) -> list[Alert]:
        """The org's latest alerts with their deliveries."""
        self._org(org_id)
        return self._records.alerts(org_id, limit=limit)

    def deliver_due(self) -> int:
        """Attempt every delivery whose time has come; return how many attempts were made."""
        attempts = 0
        now = self._clock.now()
        for org in self._stores.orgs.list_orgs():
            due = [a for a in self._records.alerts(org.id, pending_only=True, limit=1000) if a.due(now)]
            if not due:
                continue
            hooks = {h.id: h for h in self._records.hooks(org.id)}
            for alert in due:
                before = sum(d.attempts for d in alert.deliveries)
                after = self._deliver(alert, hooks)
                attempts += sum(d.attempts for d in after.deliveries) - before
        return attempts

    def _deliver(self, alert: Alert, hooks: dict[str, AlertHook]) -> Alert:
        now = self._clock.now()
        body = json.dumps(event_body(alert), sort_keys=True, separators=(",", ":"))
        deliveries = []
        for delivery in alert.deliveries:
            hook = hooks.get(delivery.hook_id)
            due = delivery.state is DeliveryState.PENDING and (delivery.next_at is None or delivery.next_at <= now)
            if not due:
                deliveries.append(delivery)
                continue
            if hook is None:  # removed since: nothing to send to
                deliveries.append(replace(delivery, state=DeliveryState.FAILED, last_status="hook_removed"))
                continue
            status = self._post(hook.url, body.encode(), signed(hook, alert.id, body, self._clock))
            moved = delivery.after(status.isdigit() and 200 <= int(status) < 300, status, now)
            log.info(
                "alert delivery",
                extra=ctx(
                    org=alert.org_id,
                    alert=alert.id,
                    hook=hook.id,
                    status=status,
                    state=moved.state.value,
                    attempt=moved.attempts,
                ),
            )
            deliveries.append(moved)
        updated = replace(alert, deliveries=tuple(deliveries))
        self._records.put_alert(updated)
        return updated


def event_body(alert: Alert) -> dict[str, Any]:
    """The JSON event sent for an alert."""
    return {
        "id": alert.id,
        "type": alert.kind.value,
        "org": alert.org_id,
        "created_at": alert.created_at.isoformat(),
        "data": alert.data,
    }


def alert_view(alert: Alert) -> dict[str, Any]:
    """The admin view of an alert: its event and each delivery's state."""
    return {
        **event_body(alert),
        "deliveries": [
            {
                "hook": d.hook_id,
                "state": d.state.value,
                "attempts": d.attempts,
                "next_at": d.next_at.isoformat() if d.next_at else None,
                "last_status": d.last_status,
                "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            }
            for d in alert.deliveries
        ],
    }
