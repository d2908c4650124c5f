"""One scenario on the shared topology: a fresh Workspace domain, its org, and what a test does with them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from emulator.testing import access_token
from shared.config import GOOGLE_SCOPES
from tests.cloud.harness.topology import Topology
from tests.support.instant import z
from tests.support.wait import wait_until

TIMEOUT = 120.0


@dataclass
class Cloud:
    """A scenario: the topology, a domain with two people and a room, and the org once created."""

    topology: Topology
    domain: str
    key: dict[str, Any]
    org_id: str = ""
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def alice(self) -> str:
        """A person of the domain (German)."""
        return f"alice@{self.domain}"

    @property
    def bob(self) -> str:
        """Another person of the domain."""
        return f"bob@{self.domain}"

    @property
    def room(self) -> str:
        """A room of the domain."""
        return f"room-1@{self.domain}"

    # ------------------------------------------------------------ admin API

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call admin_api with the admin token."""
        with self.topology.admin() as client:
            return client.request(method, path, **kwargs)

    def create_org(self, **fields: Any) -> dict[str, Any]:
        """POST /admin/v1/orgs with this domain's key (or ``fields``); 201 expected."""
        body = {"domain": self.domain, "service_account_key": self.key, **fields}
        body = {k: v for k, v in body.items() if v is not None}
        answer = self.admin("POST", "/admin/v1/orgs", json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        self.org_id = str(created["id"])
        return created

    def activate(self, email: str, kind: str = "person") -> None:
        """POST .../principals: activation is queued (202)."""
        answer = self.admin("POST", f"/admin/v1/orgs/{self.org_id}/principals", json={"email": email, "kind": kind})
        assert answer.status_code == 202, answer.text

    def principal(self, email: str) -> dict[str, Any] | None:
        """The principal as the admin API shows it; None once it is gone."""
        answer = self.admin("GET", f"/admin/v1/orgs/{self.org_id}/principals/{email}")
        if answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def wait_state(self, email: str, *states: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Wait until the principal is in one of ``states``; return it."""
        seen: dict[str, Any] = {}

        def reached() -> bool:
            seen["p"] = self.principal(email)
            return seen["p"] is not None and seen["p"]["state"] in states

        self.wait(reached, f"{email} in {states} (last seen {seen.get('p')})", timeout)
        return dict(seen["p"])

    def active(self, email: str) -> dict[str, Any]:
        """Activate and wait until active with its channel open (the activation's last step)."""
        self.activate(email)
        principal = self.wait_state(email, "active", "error")
        assert principal["state"] == "active", principal
        self.wait(lambda: (self.principal(email) or {}).get("channel_expiry") is not None, f"{email}'s channel")
        return self.principal(email) or {}

    # ------------------------------------------------------------ Google, as the users see it

    def google(self, subject: str) -> httpx.Client:
        """An httpx client on the emulator acting as ``subject`` (a user at their calendar)."""
        base = self.topology.emulator_url
        if subject not in self._tokens:
            with httpx.Client(base_url=base, timeout=30) as raw:
                self._tokens[subject] = access_token(raw, self.key, subject, list(GOOGLE_SCOPES))
        headers = {"Authorization": f"Bearer {self._tokens[subject]}"}
        return httpx.Client(base_url=base, headers=headers, timeout=30)

    def event_body(self, summary: str, minutes: float, **fields: Any) -> dict[str, Any]:
        """A 30-minute event starting ``minutes`` from now."""
        start = self.topology.clock.now() + timedelta(minutes=minutes)
        end = start + timedelta(minutes=30)
        return {"summary": summary, "start": {"dateTime": z(start)}, "end": {"dateTime": z(end)}, **fields}

    def create_event(self, who: str, summary: str, minutes: float, **fields: Any) -> dict[str, Any]:
        """Insert an event on ``who``'s calendar as ``who``."""
        with self.google(who) as http:
            answer = http.post(f"/calendar/v3/calendars/{who}/events", json=self.event_body(summary, minutes, **fields))
        assert answer.status_code == 200, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def patch_event(self, who: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """PATCH an event as ``who``."""
        with self.google(who) as http:
            answer = http.patch(f"/calendar/v3/calendars/{who}/events/{event_id}", json=body)
        assert answer.status_code == 200, answer.text
        patched: dict[str, Any] = answer.json()
        return patched

    def event(self, who: str, event_id: str) -> dict[str, Any]:
        """The event as Google has it now."""
        with self.google(who) as http:
            answer = http.get(f"/calendar/v3/calendars/{who}/events/{event_id}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def channels(self, email: str) -> list[dict[str, Any]]:
        """The channels open at Google on ``email``'s calendar."""
        return [c for c in self.topology.control.channels() if c["calendarId"] == email and not c["expired"]]

    def count(self, operation: str, subject: str | None = None) -> int:
        """Calls of a Google operation in the emulator's request log."""
        return len(self.topology.control.requests(operation=operation, subject=subject)["items"])

    # ------------------------------------------------------------ the app API

    def app(self, email: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call meetings_api as a signed-in user (an ID token from the emulator's OIDC issuer)."""
        headers = {"Authorization": f"Bearer {self.topology.user_token(email)}"}
        return httpx.request(method, self.topology.urls["meetings_api"] + path, headers=headers, timeout=60)

    def meetings(self, email: str) -> list[dict[str, Any]]:
        """The user's meetings of the coming week through meetings_api."""
        answer = self.app(email, "GET", "/v1/me/meetings?days=7")
        assert answer.status_code == 200, answer.text
        return list(answer.json()["meetings"])

    # ------------------------------------------------------------ waiting and logs

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        """Wait for ``condition``; fail naming ``what`` and the tail of every function's output."""
        if wait_until(condition, timeout=timeout, interval=0.1):
            return
        tails = {name: self.topology.output(name)[-1500:] for name in self.topology.processes}
        raise AssertionError(f"timed out waiting for {what}\n" + json.dumps(tails, indent=1))

    def logs(self, function: str) -> list[dict[str, Any]]:
        """The JSON lines a function process wrote (every line must be JSON)."""
        lines = [line for line in self.topology.output(function).splitlines() if line.strip()]
        return [json.loads(line) for line in lines]


def new_cloud(topology: Topology) -> Cloud:
    """Reset the topology and create a fresh domain (two people, a room) with a delegated service account."""
    topology.reset()
    domain = topology.new_domain()
    users = [
        {"email": f"alice@{domain}", "name": "Alice", "locale": "de", "timeZone": "Europe/Berlin"},
        {"email": f"bob@{domain}", "name": "Bob", "locale": "en", "timeZone": "Europe/Berlin"},
    ]
    topology.control.create_domain(domain, users=users, rooms=[{"email": f"room-1@{domain}", "name": "Room 1"}])
    key = topology.control.create_service_account(domain, list(GOOGLE_SCOPES))
    return Cloud(topology, domain, key)
