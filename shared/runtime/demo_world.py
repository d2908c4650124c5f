"""The demo's world: an emulated Workspace domain, its people and room, and helpers to act as them.

Everything goes over real HTTP: users act through the emulator's Calendar and Gmail APIs with
delegated tokens, the admin through the admin API, people through the app API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx

from shared.config import GOOGLE_SCOPES

DOMAIN = "example.com"
PEOPLE = [
    {"email": "alice@example.com", "name": "Alice Adler", "locale": "de", "timeZone": "Europe/Berlin"},
    {"email": "bob@example.com", "name": "Bob Brown", "locale": "en", "timeZone": "America/New_York"},
    {"email": "carol@example.com", "name": "Carol Chen", "locale": "fr", "timeZone": "Europe/Paris"},
]
ROOM = {"email": "boardroom@resource.calendar.google.com", "name": "Boardroom"}
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)  # the demo waits on a real, asynchronous pipeline
    raise TimeoutError(f"timed out waiting for {what}")


class DemoWorld:
    """Talks to the emulator (as Google and as users), the admin API and the app API."""

    def __init__(self, emulator_url: str, service_url: str, admin_token: str) -> None:
        self.emulator_url, self.service_url = emulator_url, service_url
        self.http = httpx.Client(timeout=30)
        self.admin = httpx.Client(
            base_url=f"{service_url}/admin/v1", timeout=30, headers={"Authorization": f"Bearer {admin_token}"}
        )
        self.key: dict[str, Any] = {}
        self._tokens: dict[str, str] = {}
        self._ids: dict[str, str] = {}

    def close(self) -> None:
        """Close the clients."""
        self.http.close()
        self.admin.close()

    # ------------------------------------------------------------ the emulator's control plane

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the emulator's control plane."""
        response = self.http.request(method, f"{self.emulator_url}/emulator/v1{path}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def seed_domain(self) -> None:
        """Create the domain, its people and room, and a delegated service account."""
        self.control("POST", "/domains", json={"domain": DOMAIN, "users": PEOPLE, "rooms": [ROOM]})
        self.key = self.control("POST", f"/domains/{DOMAIN}/service-accounts", json={"scopes": list(GOOGLE_SCOPES)})

    def advance(self, delta: timedelta) -> None:
        """Move the emulator's clock (the caller moves the service's)."""
        self.control("POST", "/clock", json={"advanceSeconds": delta.total_seconds()})

    # ------------------------------------------------------------ acting as a user at Google

    def _token(self, subject: str) -> str:
        if subject not in self._tokens:
            from emulator.testing import access_token

            self._tokens[subject] = access_token(
                httpx.Client(base_url=self.emulator_url, timeout=30), self.key, subject, list(GOOGLE_SCOPES)
            )
        return self._tokens[subject]

    def google(self, subject: str, method: str, path: str, **kwargs: Any) -> Any:
        """Call Google's API (the emulator) as ``subject``; an expired token is renewed once."""
        for attempt in (1, 2):
            response = self.http.request(
                method,
                f"{self.emulator_url}{path}",
                **kwargs,
                headers={"Authorization": f"Bearer {self._token(subject)}"},
            )
            if response.status_code == 401 and attempt == 1:
                self._tokens.pop(subject, None)
                continue
            response.raise_for_status()
            return response.json() if response.content else None
        return None

    def create_event(
        self,
        organizer: str,
        summary: str,
        start: datetime,
        minutes: int,
        *,
        attendees: list[str],
        location: str = "",
        description: str = "",
        recurrence: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create an event on the organiser's calendar, as the organiser would."""
        body: dict[str, Any] = {
            "summary": summary,
            "location": location,
            "description": description,
            "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat(), "timeZone": "UTC"},
            "attendees": [{"email": a} for a in attendees],
        }
        if recurrence:
            body["recurrence"] = recurrence
        created: dict[str, Any] = self.google(
            organizer, "POST", f"/calendar/v3/calendars/{organizer}/events", json=body, params={"sendUpdates": "all"}
        )
        return created

    def event(self, calendar: str, event_id: str) -> dict[str, Any]:
        """Read an event from Google as the calendar's owner."""
        found: dict[str, Any] = self.google(calendar, "GET", f"/calendar/v3/calendars/{calendar}/events/{event_id}")
        return found

    # ------------------------------------------------------------ the admin API

    def create_org(self) -> dict[str, Any]:
        """Register the org with its service-account key."""
        response = self.admin.post(
            "/orgs",
            json={
                "domain": DOMAIN,
                "service_account_key": self.key,
                "room_delegate": PEOPLE[0]["email"],
                "join_lead_minutes": 5,
            },
        )
        response.raise_for_status()
        org: dict[str, Any] = response.json()
        return org

    def activate(self, org: str, email: str, kind: str = "person", devices: list[str] | None = None) -> dict[str, Any]:
        """Activate a principal and wait until validation, initial sync and watch are done."""
        body: dict[str, Any] = {"email": email, "kind": kind, "devices": devices or []}
        response = self.admin.post(f"/orgs/{org}/principals", json=body)
        response.raise_for_status()
        created: dict[str, Any] = response.json()

        def ready() -> dict[str, Any] | None:
            view: dict[str, Any] = self.admin.get(f"/orgs/{org}/principals/{email}").json()
            return (
                view
                if view["state"] in ("active", "error") and view.get("channel_expiry")
                else (view if view["state"] == "error" else None)
            )

        view = wait_for(f"{email} to be validated", ready)
        view["devices"] = created.get("devices", [])
        return view

    # ------------------------------------------------------------ the app API

    def sign_in(self, email: str) -> str:
        """A development sign-in: an ID token from the emulator's OIDC issuer, through the service."""
        response = self.http.post(f"{self.service_url}/app/dev/sign-in", json={"email": email})
        response.raise_for_status()
        return str(response.json()["id_token"])

    def app(self, token: str, method: str, path: str, *, device: bool = False, **kwargs: Any) -> Any:
        """Call the app API with a person's ID token (Bearer) or a room device's token (Device)."""
        scheme = "Device" if device else "Bearer"
        response = self.http.request(
            method, f"{self.service_url}{path}", **kwargs, headers={"Authorization": f"{scheme} {token}"}
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def pretty(self, value: Any) -> str:
        """JSON for the console."""
        return json.dumps(value, indent=2, default=str)
