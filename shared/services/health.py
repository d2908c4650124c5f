"""The org health report, and the scan that turns what it finds into alerts.

``report`` answers ``GET /admin/v1/orgs/{org}/health``: principals by state with reasons and
hints; channels expiring within 24 h (renewal starts a day ahead, so one still there after a
maintenance run is failing to renew) and active principals without a channel; the last
successful sync of each active principal, stalled beyond ``STALL_AFTER``; the last maintenance
run's reconcile figures; dead letters by topic; Google's rate-limit answers (429 and 403
rate-limit reasons) of the last 24 h; and the vacation poll's lag. ``scan`` raises one alert per
change found: a principal in ``error``, a channel failing renewal, a stalled sync, new dead letters.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from shared.domain.health import EXPIRING_WITHIN, POLL_PERIOD, STALL_AFTER, AlertKind
from shared.domain.principals import Principal, PrincipalState
from shared.domain.sync import ChannelState
from shared.ports import Stores
from shared.ports.clock import Clock
from shared.ports.health import HealthRecords
from shared.services import deadletters
from shared.services.alerts import AlertService


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class HealthService:
    """Builds an org's health report and raises alerts for what changed."""

    def __init__(self, stores: Stores, records: HealthRecords, clock: Clock, alerts: AlertService) -> None:
        self._stores, self._records, self._clock, self._alerts = stores, records, clock, alerts

    def report(self, org_id: str) -> dict[str, Any]:
        """The org's health report (NotFound for an unknown org is the caller's check)."""
        now = self._clock.now()
        principals = sorted(self._stores.principals.list_principals(org_id), key=lambda p: p.email)
        states = Counter(p.state.value for p in principals)
        active = [p for p in principals if p.active]
        maintenance = self._records.last_run("maintenance") or {}
        channels, without = self._channels(org_id, active, now, maintenance.get("at"))
        syncs = self._syncs(org_id, active, now)
        dead = deadletters.summary(self._stores, org_id)
        poll = self._records.last_run("vacation_poll")
        poll_at = poll["at"] if poll else None
        lag = (now - poll_at).total_seconds() if poll_at else None
        return {
            "org": org_id,
            "at": now.isoformat(),
            "principals": {
                "by_state": {s.value: states.get(s.value, 0) for s in PrincipalState},
                "attention": [
                    {
                        "email": p.email,
                        "kind": p.kind.value,
                        "state": p.state.value,
                        "reason": p.reason.value if p.reason else None,
                        "hint": p.hint,
                        "detail": p.detail,
                        "since": _iso(p.updated_at),
                    }
                    for p in principals
                    if p.state is PrincipalState.ERROR or (p.active and p.reason is not None)
                ],
            },
            "channels": {
                "expiring_within_hours": EXPIRING_WITHIN.total_seconds() / 3600,
                "expiring": channels,
                "without_channel": without,
            },
            "sync": {
                "stalled_after_hours": STALL_AFTER.total_seconds() / 3600,
                "stalled": sum(1 for s in syncs if s["stalled"]),
                "principals": syncs,
            },
            "reconcile": {
                "last_run_at": _iso(maintenance.get("at")),
                "reconciled": int(maintenance.get("reconciled", 0)),
                "repaired": int((maintenance.get("repaired_per_org") or {}).get(org_id, 0)),
            },
            "dead_letters": {"total": dead["total"], "topics": {t: b["count"] for t, b in dead["topics"].items()}},
            "quota": {"window_hours": 24, "rate_limited": self._records.rate_limited(org_id, now - timedelta(days=1))},
            "presence_poll": {
                "period_seconds": int(POLL_PERIOD.total_seconds()),
                "last_poll_at": _iso(poll_at),
                "lag_seconds": round(lag) if lag is not None else None,
                "late": lag is None or lag > 2 * POLL_PERIOD.total_seconds(),
            },
        }

    def _channels(
        self, org_id: str, active: list[Principal], now: datetime, maintained: datetime | None
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Channels in the renewal window (failing once a maintenance run has tried them) and principals with none."""
        expiring: list[dict[str, Any]] = []
        without: list[str] = []
        for p in active:
            live = [c for c in self._stores.channels.channels_of(org_id, p.id) if c.state is ChannelState.ACTIVE]
            if not live:
                without.append(p.email)
            for c in live:
                if c.expiration - now <= EXPIRING_WITHIN:
                    expiring.append(
                        {
                            "email": p.email,
                            "channel_id": c.id,
                            "expiration": c.expiration.isoformat(),
                            "failing_renewal": maintained is not None and maintained >= c.expiration - EXPIRING_WITHIN,
                        }
                    )
        return expiring, without

    def _syncs(self, org_id: str, active: list[Principal], now: datetime) -> list[dict[str, Any]]:
        rows = []
        for p in active:
            state, _ = self._stores.sync_states.get_sync_state(org_id, p.id)
            age = (now - state.last_sync).total_seconds() if state.last_sync else None
            rows.append(
                {
                    "email": p.email,
                    "last_sync": _iso(state.last_sync),
                    "age_seconds": age,
                    "stalled": age is None or age > STALL_AFTER.total_seconds(),
                }
            )
        return rows

    # ------------------------------------------------------------ alerts

    def scan(self) -> int:
        """Raise one alert per change found in every org; return how many were newly raised."""
        raised = 0
        for org in self._stores.orgs.list_orgs():
            raised += self.scan_org(org.id)
        return raised

    def scan_org(self, org_id: str) -> int:
        """Raise one alert per change found in one org."""
        now = self._clock.now()
        raised = 0
        for p in self._stores.principals.list_principals(org_id):
            if p.state is PrincipalState.ERROR:
                raised += self.principal_error(p)
            if not p.active:
                continue
            for c in self._stores.channels.channels_of(org_id, p.id):
                if c.state is ChannelState.ACTIVE and c.expiration - now <= EXPIRING_WITHIN:
                    data: dict[str, object] = {
                        "email": p.email,
                        "channel_id": c.id,
                        "expiration": c.expiration.isoformat(),
                    }
                    raised += self._alerts.raise_alert(org_id, AlertKind.CHANNEL_RENEWAL_FAILED, (c.id,), data)
            state, _ = self._stores.sync_states.get_sync_state(org_id, p.id)
            if state.last_sync is not None and now - state.last_sync > STALL_AFTER:
                data = {
                    "email": p.email,
                    "last_sync": state.last_sync.isoformat(),
                    "stalled_after_hours": STALL_AFTER.total_seconds() / 3600,
                }
                raised += self._alerts.raise_alert(
                    org_id, AlertKind.SYNC_STALLED, (p.id, state.last_sync.isoformat()), data
                )
        newest: dict[str, tuple[datetime, int]] = {}
        for topic, bucket in deadletters.summary(self._stores, org_id)["topics"].items():
            newest[topic] = (bucket["last_at"], bucket["count"])
        for topic, (last_at, count) in sorted(newest.items()):
            data = {"topic": topic, "count": count, "last_at": _iso(last_at)}
            raised += self._alerts.raise_alert(org_id, AlertKind.DEAD_LETTERS, (topic, _iso(last_at) or ""), data)
        return raised

    def principal_error(self, p: Principal) -> bool:
        """Raise the alert for a principal having entered ``error`` (once per entry)."""
        reason = p.reason.value if p.reason else "unknown"
        data: dict[str, object] = {
            "email": p.email,
            "kind": p.kind.value,
            "state": p.state.value,
            "reason": reason,
            "hint": p.hint,
            "detail": p.detail,
            "since": _iso(p.updated_at),
        }
        return self._alerts.raise_alert(
            p.org_id, AlertKind.PRINCIPAL_ERROR, (p.id, reason, _iso(p.updated_at) or ""), data
        )
