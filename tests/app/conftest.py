"""Fixtures for the app API: an emulated Workspace with two orgs, people, rooms with devices, meetings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.test import Client, TestResponse

from shared.config import GOOGLE_SCOPES, Settings
from shared.domain.principals import CredentialRef, Org, PrincipalKind
from tests.support.lifetime import checked_world
from tests.support.world import DOMAIN, EMULATOR_URL, T0, World, make_world

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
ROOM, ROOM2 = "room-a@example.com", "room-b@example.com"
ZED = "zed@other.org"
MEET = "https://meet.google.com/abc-defg-hij"


@dataclass
class AppWorld:
    """The world plus the second org, device tokens and a WSGI client on the local runtime."""

    world: World
    other: Org
    devices: dict[str, list[tuple[str, str]]]
    client: Client
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def app(self) -> Any:
        """The service App."""
        return self.world.app

    def id_token(self, email: str, audience: str = "hybrid-calendar", lifetime: int = 3600) -> str:
        """An ID token from the emulator's OIDC issuer."""
        body = {"email": email, "audience": audience, "lifetimeSeconds": lifetime}
        answer = self.world.control._http.post("/emulator/v1/id-tokens", json=body)
        answer.raise_for_status()
        return str(answer.json()["idToken"])

    def user(self, email: str) -> dict[str, str]:
        """Headers of a signed-in user (tokens are cached per user)."""
        if email not in self.tokens:
            self.tokens[email] = self.id_token(email)
        return {"Authorization": f"Bearer {self.tokens[email]}"}

    def device(self, room: str, index: int = 0) -> tuple[str, dict[str, str]]:
        """A device id of ``room`` and its headers."""
        device_id, token = self.devices[room][index]
        return device_id, {"Authorization": f"Device {token}"}

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> TestResponse:
        """GET through the local runtime."""
        return self.client.get(path, headers=headers or {}, **kwargs)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> TestResponse:
        """POST JSON through the local runtime."""
        return self.client.post(path, json=body, headers=headers or {})

    def meeting(
        self,
        organizer: str,
        start: datetime,
        minutes: int = 30,
        *,
        guests: tuple[str, ...] = (),
        location: str = MEET,
        summary: str = "Standup",
    ) -> dict[str, Any]:
        """Create an event in the emulator as ``organizer`` and let the service sync it."""
        body = {
            "summary": summary,
            "location": location,
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=minutes)).isoformat()},
            "attendees": [{"email": g} for g in guests],
        }
        with self.world.http(organizer) as http:
            created = http.post("/calendar/v3/calendars/primary/events", json=body)
        created.raise_for_status()
        self.world.settle()
        return dict(created.json())

    def patch(self, organizer: str, event_id: str, body: dict[str, Any]) -> None:
        """Change an event as its organiser and let the service sync it."""
        with self.world.http(organizer) as http:
            http.patch(f"/calendar/v3/calendars/primary/events/{event_id}", json=body).raise_for_status()
        self.world.settle()

    def cancel(self, organizer: str, event_id: str) -> None:
        """Delete an event as its organiser and let the service sync it."""
        with self.world.http(organizer) as http:
            http.delete(f"/calendar/v3/calendars/primary/events/{event_id}").raise_for_status()
        self.world.settle()


def build_app_world(tmp_path: Path, configure: Callable[[Settings], Settings] | None = None) -> AppWorld:
    """Two orgs; Alice, Bob and two rooms active (two devices in room A, one in B); Carol not activated."""
    world = make_world(tmp_path, configure=configure)
    control = world.control
    control.create_domain(DOMAIN, rooms=[{"email": ROOM, "name": "Room A"}, {"email": ROOM2, "name": "Room B"}])
    control.create_domain("other.org", users=[{"email": ZED, "name": "Zed", "timeZone": "UTC"}])
    key = control.create_service_account("other.org", list(GOOGLE_SCOPES))
    other = Org(id="other-org", domain="other.org", credential=CredentialRef("stored", "", key["client_id"]))
    world.app.provisioning.create_org(other, service_account_key=json.dumps(key))
    for email in (ALICE, BOB):
        world.app.provisioning.activate(world.org.id, email, PrincipalKind.PERSON, [])
    world.app.provisioning.activate(other.id, ZED, PrincipalKind.PERSON, [])
    devices: dict[str, list[tuple[str, str]]] = {}
    for room, names in ((ROOM, ["display", "codec"]), (ROOM2, ["display"])):
        result = world.app.provisioning.activate(world.org.id, room, PrincipalKind.ROOM, names)
        devices[room] = sorted(result.device_tokens.items())
    world.settle()
    return AppWorld(world, other, devices, Client(world.runtime))


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AppWorld]:
    """The app world, torn down after the test."""
    w = build_app_world(tmp_path)
    with checked_world(w.world):
        yield w


__all__ = ["ALICE", "BOB", "CAROL", "EMULATOR_URL", "MEET", "ROOM", "ROOM2", "T0", "ZED", "AppWorld", "httpx"]
