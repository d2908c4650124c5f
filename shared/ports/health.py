"""The health records port: counters and last runs for the org health report, alert hooks and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.domain.health import Alert, AlertHook


class HealthRecords(Protocol):
    """What the health report and the alerts keep: counts and times only, URLs and secrets sealed."""

    def note_rate_limited(self, subject: str, status: int, at: datetime) -> None:
        """Count one rate-limit answer (429, or 403 with a rate-limit reason) of Google for ``subject``'s org."""
        ...

    def rate_limited(self, org_id: str, since: datetime) -> dict[str, int]:
        """Rate-limit answers counted for an org since ``since``, by status (``"429"``, ``"403"``)."""
        ...

    def note_run(self, name: str, data: dict[str, Any], at: datetime) -> None:
        """Remember the latest run of a job (``maintenance``, ``vacation_poll``) with its figures."""
        ...

    def last_run(self, name: str) -> dict[str, Any] | None:
        """The latest run of a job (``at`` and its figures), or None."""
        ...

    def note_checked(self, org_id: str, principal_id: str, at: datetime) -> None:
        """Remember when a principal last had a light re-validation."""
        ...

    def last_checked(self, org_id: str, principal_id: str) -> datetime | None:
        """When a principal last had a light re-validation, or None."""
        ...

    def add_hook(self, hook: AlertHook) -> None:
        """Register a hook; Conflict when the org has one for the same URL."""
        ...

    def hooks(self, org_id: str) -> list[AlertHook]:
        """An org's hooks, oldest first (URL and secret opened)."""
        ...

    def delete_hook(self, org_id: str, hook_id: str) -> bool:
        """Remove a hook; False when there was none."""
        ...

    def add_alert(self, alert: Alert) -> bool:
        """Record an alert unless one with its id exists; True when this call recorded it."""
        ...

    def put_alert(self, alert: Alert) -> None:
        """Replace an alert (its deliveries moved on)."""
        ...

    def alerts(self, org_id: str, *, pending_only: bool = False, limit: int = 100) -> list[Alert]:
        """An org's alerts, newest first."""
        ...
