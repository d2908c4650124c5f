"""The Calendar gateway over the emulator: domain values out, the mappers' bodies on the wire, etags as If-Match."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from shared.adapters.google.clients import GoogleCalendarDirectory, GoogleClients
from shared.adapters.google.gateway import GoogleCalendarGateway
from shared.config import Settings
from shared.domain.meetings import ResponseStatus
from shared.domain.principals import CredentialRef, Org, Principal
from shared.errors import InvalidInput, PreconditionFailed
from shared.ports import CalendarGateway
from shared.ports.calendar import AccessRule, JoinWrite, NewEvent
from tests.google.conftest import ANN, BOB, Env, timed

ORG = Org(id="org-1", domain="example.com", credential=CredentialRef("stored", "org-1"))
ANN_P = Principal(org_id="org-1", id="p-ann", email=ANN)
BOB_P = Principal(org_id="org-1", id="p-bob", email=BOB)


class Recording(httpx.BaseTransport):
    """Passes every request to the emulator and keeps it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then forward."""
        self.requests.append(request)
        return self.inner.handle_request(request)

    def calendar(self, method: str) -> list[httpx.Request]:
        """The Calendar requests made with ``method``."""
        return [r for r in self.requests if r.method == method and "/calendar/v3/" in r.url.path]


def _gateway(emu: Env) -> tuple[CalendarGateway, Recording, GoogleClients]:
    assert emu.transport is not None
    recording = Recording(emu.transport)
    clients = GoogleClients(Settings(google_base_url=emu.base_url), emu.clock, transport=recording, sleep=emu.sleep)
    emu.stacks.append(clients)
    directory = GoogleCalendarDirectory(clients, {"org-1": json.dumps(emu.key)}.get)
    return GoogleCalendarGateway(directory.calendar_for), recording, clients


def test_an_answer_keeps_what_the_mapper_does_not_know_and_rides_if_match(emu: Env) -> None:
    """respond patches only the attendees, keeps another guest's comment and a colour the mapper never reads,
    and sends the etag it read as If-Match."""
    gateway, recording, clients = _gateway(emu)
    ann = clients.calendar(emu.credential, ANN)
    body = timed(
        "2026-11-25T10:00:00",
        "2026-11-25T11:00:00",
        colorId="5",
        attendees=[{"email": ANN}, {"email": BOB, "comment": "running late", "responseStatus": "accepted"}],
    )
    created = ann.insert_event("primary", body, send_updates="none")
    recording.requests.clear()
    answered = gateway.respond(ORG, ANN_P, str(created["id"]), ResponseStatus.TENTATIVE)
    assert {a.email: a.response_status for a in answered.attendees} == {ANN: "tentative", BOB: "accepted"}
    assert len(recording.calendar("GET")) == 1  # one read (its answer carried the etag), then one patch
    (patch,) = recording.calendar("PATCH")
    stored = ann.get_event("primary", str(created["id"]), fields=None)
    assert stored["colorId"] == "5"
    bob = next(a for a in stored["attendees"] if a["email"] == BOB)
    assert (bob["comment"], bob["responseStatus"]) == ("running late", "accepted")
    assert set(json.loads(patch.content)) == {"attendees"}
    assert patch.headers["If-Match"] == created["etag"]
    assert answered.etag == stored["etag"] != created["etag"]


def test_a_guest_list_without_the_caller_is_refused_before_any_write(emu: Env) -> None:
    """respond on an event the caller is not a guest of raises InvalidInput and patches nothing."""
    gateway, recording, clients = _gateway(emu)
    created = clients.calendar(emu.credential, ANN).insert_event(
        "primary", timed("2026-11-25T10:00:00", "2026-11-25T11:00:00"), send_updates="none"
    )
    with pytest.raises(InvalidInput):
        gateway.respond(ORG, ANN_P, str(created["id"]), ResponseStatus.ACCEPTED)
    assert recording.calendar("PATCH") == []


def test_a_join_write_with_a_stale_etag_is_refused(emu: Env) -> None:
    """write_join sends If-Match: the etag of an older read gets PreconditionFailed and changes nothing."""
    gateway, _, clients = _gateway(emu)
    ann = clients.calendar(emu.credential, ANN)
    created = ann.insert_event("primary", timed("2026-11-25T10:00:00", "2026-11-25T11:00:00"), send_updates="none")
    read = gateway.read_event(ORG, ANN_P, ANN, str(created["id"]))
    ann.patch_event("primary", str(created["id"]), {"summary": "Moved"}, etag=None)
    with pytest.raises(PreconditionFailed):
        gateway.write_join(ORG, ANN_P, ANN, read.id, JoinWrite("join", {"k": "v"}, read.etag, "none"))
    assert ann.get_event("primary", read.id).get("description") in (None, "")


def test_meeting_writes_and_sharing_speak_domain_values(emu: Env) -> None:
    """insert deduplicates guests; grant, list and revoke sharing rules come back as AccessRule values."""
    gateway, _, _ = _gateway(emu)
    start, end = datetime(2026, 11, 25, 9, tzinfo=UTC), datetime(2026, 11, 25, 10, tzinfo=UTC)
    new = NewEvent("Plan", "", "Room 2", start, end, "Europe/Berlin", (BOB.upper(), BOB))
    created = gateway.insert_event(ORG, ANN_P, new)
    assert [a.email for a in created.attendees] == [BOB] and created.start == start
    rule_id = gateway.grant_access(ORG, ANN_P, BOB, "reader")
    assert rule_id == f"user:{BOB}"
    assert AccessRule(rule_id, "reader", "user", BOB) in {
        AccessRule(r.rule_id, r.role, r.scope_type, r.scope_value) for r in gateway.access_rules(ORG, ANN_P)
    }
    gateway.revoke_access(ORG, ANN_P, BOB)
    assert all(r.scope_value != BOB for r in gateway.access_rules(ORG, ANN_P))
    busy = gateway.free_busy(ORG, BOB_P, [ANN], start, end)
    assert busy == {ANN: ((start, end),)}
