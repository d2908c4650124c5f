"""A small client for the control plane (``/emulator/v1``) over HTTP or an in-process transport."""

from __future__ import annotations

from typing import Any

import httpx


class ControlError(RuntimeError):
    """The control plane answered with an error."""


class ControlClient:
    """Wraps ``/emulator/v1``: domains, service accounts, clock, faults, requests, reset."""

    def __init__(
        self,
        base_url: str = "http://emulator.test",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"/emulator/v1{path}", **kwargs)
        if response.status_code >= 400:
            raise ControlError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def create_domain(
        self,
        domain: str,
        users: list[dict[str, Any]] | None = None,
        rooms: list[dict[str, Any]] | None = None,
        time_zone: str | None = None,
    ) -> dict[str, Any]:
        """Create a domain with users (email, name, locale, timeZone) and rooms (email, name)."""
        body: dict[str, Any] = {"domain": domain, "users": users or [], "rooms": rooms or []}
        if time_zone:
            body["timeZone"] = time_zone
        return dict(self._call("POST", "/domains", json=body))

    def create_service_account(self, domain: str, scopes: list[str]) -> dict[str, Any]:
        """Create a delegated service account; return its key file (JSON)."""
        return dict(self._call("POST", f"/domains/{domain}/service-accounts", json={"scopes": scopes}))

    def set_service_account_scopes(
        self, domain: str, client_id: str, scopes: list[str], *, revoke_tokens: bool = False
    ) -> dict[str, Any]:
        """Change (e.g. revoke) the scopes a service account is authorised for (``revoke_tokens``: end issued ones)."""
        body: dict[str, Any] = {"scopes": scopes, "revokeTokens": revoke_tokens}
        return dict(self._call("PATCH", f"/domains/{domain}/service-accounts/{client_id}", json=body))

    def update_user(self, email: str, **fields: Any) -> dict[str, Any]:
        """Change a user's ``name``, ``locale`` or ``timeZone``."""
        return dict(self._call("PATCH", f"/users/{email}", json=fields))

    def set_vacation(self, email: str, settings: dict[str, Any]) -> dict[str, Any]:
        """Set a user's Gmail vacation settings."""
        return dict(self._call("PUT", f"/users/{email}/vacation", json=settings))

    def get_vacation(self, email: str) -> dict[str, Any]:
        """Read a user's Gmail vacation settings."""
        return dict(self._call("GET", f"/users/{email}/vacation"))

    def events(self, email: str, show_deleted: bool = True) -> list[dict[str, Any]]:
        """Every event on a user's or room's calendar, without spending API calls."""
        params = {"showDeleted": "true" if show_deleted else "false"}
        return list(self._call("GET", f"/users/{email}/events", params=params)["items"])

    def attach_addon_conference(self, calendar_id: str, event_id: str, conference: dict[str, Any]) -> dict[str, Any]:
        """Store a conferencing add-on's answer on the organiser's event, as Calendar does; the event."""
        path = f"/calendars/{calendar_id}/events/{event_id}/addOnConference"
        return dict(self._call("POST", path, json=conference))

    def clock(self) -> dict[str, Any]:
        """Return the emulator clock (``time``, ``epochMs``, ``frozen``)."""
        return dict(self._call("GET", "/clock"))

    def set_clock(
        self,
        time: str | None = None,
        advance_seconds: float | None = None,
        frozen: bool | None = None,
    ) -> dict[str, Any]:
        """Set, advance and/or freeze the emulator clock."""
        body: dict[str, Any] = {}
        if time is not None:
            body["time"] = time
        if advance_seconds is not None:
            body["advanceSeconds"] = advance_seconds
        if frozen is not None:
            body["frozen"] = frozen
        return dict(self._call("POST", "/clock", json=body))

    def set_faults(self, operation: str = "*", **fields: Any) -> dict[str, Any]:
        """Install a fault rule; ``fields`` are the README's camelCase names."""
        return dict(self._call("POST", "/faults", json={"operation": operation, **fields}))

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._call("DELETE", "/faults")

    def invalidate_sync_tokens(self, calendar_id: str | None = None) -> None:
        """Make every (or one calendar's) sync token answer 410 ``fullSyncRequired``."""
        self._call("POST", "/faults", json={"invalidateSyncTokens": calendar_id or True})

    def requests(self, operation: str | None = None, subject: str | None = None) -> dict[str, Any]:
        """Return the request log and its counts."""
        params = {k: v for k, v in (("operation", operation), ("subject", subject)) if v}
        return dict(self._call("GET", "/requests", params=params))

    def count(self, operation: str, status: int | None = None) -> int:
        """Return how many calls of ``operation`` (with ``status``) were logged."""
        log = self.requests()
        if status is None:
            return int(log["countsByOperation"].get(operation, 0))
        return int(log["countsByOperationStatus"].get(operation, {}).get(str(status), 0))

    def clear_requests(self) -> None:
        """Clear the request log."""
        self._call("DELETE", "/requests")

    def pushes(self, wait_seconds: float | None = None) -> list[dict[str, Any]]:
        """Return delivered pushes, first waiting up to ``wait_seconds`` for the queue."""
        params = {"waitSeconds": str(wait_seconds)} if wait_seconds else {}
        return list(self._call("GET", "/pushes", params=params)["items"])

    def channels(self) -> list[dict[str, Any]]:
        """Return the open push channels."""
        return list(self._call("GET", "/channels")["items"])

    def reset(self) -> None:
        """Forget everything."""
        self._call("POST", "/reset")
