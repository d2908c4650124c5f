"""Out-of-office presence end to end: emulator vacation settings and clock → poll → check → store, exact counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shared.adapters.bus.wire import SendsMessages
from shared.config import GOOGLE_SCOPES
from shared.domain.presence import PresenceSource, PresenceStatus
from shared.domain.principals import ErrorReason, PrincipalKind, PrincipalState
from shared.ports import Handler
from shared.ports.messages import CheckVacation
from shared.services.presence import PresenceService
from shared.topics import VACATION_CHECK
from tests.presence.support import (
    ALICE,
    BOB,
    CAROL,
    GET_VACATION,
    changes,
    move_clocks,
    poll,
    presence_of,
    says,
    status_of,
)
from tests.support.world import T0, World, make_world

ROOM = "room-1@resource.calendar.google.com"


def _ms(when: datetime) -> str:
    return str(int(when.timestamp() * 1000))


def _responder(subject: str, start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"enableAutoReply": True, "responseSubject": subject}
    if start is not None:
        body["startTime"] = _ms(start)
    if end is not None:
        body["endTime"] = _ms(end)
    return body


RUN_RECORD = 1
"""Each poll writes one document of its own, its run record (the org health report's poll lag); presence writes none."""


def _store_writes(world: World) -> int:
    """Every write the SQLite store ever made (its version sequence advances by one per written document)."""
    with sqlite3.connect(world.app.settings.database_path) as conn:
        return int(conn.execute("SELECT v FROM seq").fetchone()[0])


def _ooo_event(world: World, who: str, start: datetime, end: datetime) -> dict[str, Any]:
    body = {
        "summary": "Vacation in Lisbon",
        "eventType": "outOfOffice",
        "transparency": "opaque",
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": end.isoformat(), "timeZone": "Europe/Berlin"},
    }
    with world.http(who) as http:
        response = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


class CapturingBus(SendsMessages):
    """A MessageBus that keeps what is published instead of delivering it (to hold a poll's batches back)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    def publish(
        self,
        topic: str,
        data: bytes,
        *,
        ordering_key: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Keep the message."""
        self.messages.append((topic, data))
        return str(len(self.messages))

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Nothing is delivered."""

    def close(self) -> None:
        """Nothing to release."""


def test_responder_on_sets_out_of_office_and_announces_it_once(world: World) -> None:
    """An enabled responder sets out-of-office with its subject, window and source, announced exactly once."""
    world.activate(ALICE)
    until = T0 + timedelta(days=3)
    world.control.set_vacation(ALICE, _responder("Back on Friday", T0 - timedelta(days=1), until))
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None
    assert (presence.status, presence.message, presence.source) == (
        PresenceStatus.OUT_OF_OFFICE,
        "Back on Friday",
        PresenceSource.GMAIL_VACATION,
    )
    assert (presence.since, presence.until) == (T0 - timedelta(days=1), until)
    assert changes(world) == 1
    poll(world)
    assert changes(world) == 1


def test_responder_off_stays_available_and_writes_nothing(world: World) -> None:
    """A switched-off responder leaves the principal available: no presence document, no announcement."""
    world.activate(ALICE)
    world.control.set_vacation(ALICE, {"enableAutoReply": False, "responseSubject": "Away"})
    before = _store_writes(world)
    poll(world)
    assert presence_of(world, ALICE) is None
    assert _store_writes(world) == before + RUN_RECORD
    assert changes(world) == 0


def test_switching_the_responder_off_clears_presence(world: World) -> None:
    """Turning the responder off clears out-of-office on the next poll and announces the change."""
    world.activate(ALICE)
    world.control.set_vacation(ALICE, _responder("Away"))
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.OUT_OF_OFFICE
    world.control.set_vacation(ALICE, {"enableAutoReply": False})
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None and presence.status is PresenceStatus.AVAILABLE
    assert presence.source is PresenceSource.NONE and presence.message == ""
    assert changes(world) == 2


def test_responder_scheduled_for_the_future_applies_once_its_start_is_reached(world: World) -> None:
    """A responder starting tomorrow changes nothing today and sets out-of-office once both clocks reach it."""
    world.activate(ALICE)
    start = T0 + timedelta(days=1)
    world.control.set_vacation(ALICE, _responder("Conference", start, start + timedelta(days=2)))
    poll(world)
    assert presence_of(world, ALICE) is None
    assert changes(world) == 0
    move_clocks(world, start + timedelta(minutes=1))
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None and presence.status is PresenceStatus.OUT_OF_OFFICE
    assert presence.since == start
    assert changes(world) == 1


def test_expired_responder_clears_presence_when_the_clocks_pass_its_end(world: World) -> None:
    """Once the emulator and service clocks pass the responder's end, presence clears and that is announced."""
    world.activate(ALICE)
    end = T0 + timedelta(hours=1)
    world.control.set_vacation(ALICE, _responder("Dentist", T0 - timedelta(hours=1), end))
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.OUT_OF_OFFICE
    move_clocks(world, end + timedelta(minutes=5))
    poll(world)
    assert status_of(world, ALICE) is PresenceStatus.AVAILABLE
    assert changes(world) == 2
    assert world.control.get_vacation(ALICE)["enableAutoReply"] is True  # the responder is still on, just over


def test_calendar_out_of_office_event_sets_presence(world: World) -> None:
    """A Calendar event of type outOfOffice (accepted by the emulator) synced into the store sets presence."""
    world.activate(ALICE)
    created = _ooo_event(world, ALICE, T0 - timedelta(hours=2), T0 + timedelta(days=2))
    assert created["eventType"] == "outOfOffice"
    world.settle()
    poll(world)
    assert says(world, ALICE) == (PresenceStatus.OUT_OF_OFFICE, PresenceSource.CALENDAR_EVENT, "Vacation in Lisbon")
    presence = presence_of(world, ALICE)
    assert presence is not None and presence.until == T0 + timedelta(days=2)


def test_both_sources_at_once_and_then_one_of_them(world: World) -> None:
    """Responder and OOO event together give source both; switching the responder off leaves the calendar source."""
    world.activate(ALICE)
    _ooo_event(world, ALICE, T0 - timedelta(hours=2), T0 + timedelta(days=1))
    world.control.set_vacation(ALICE, _responder("Out until Monday", T0 - timedelta(days=1), T0 + timedelta(days=4)))
    world.settle()
    synced = presence_of(world, ALICE)  # the sync of the OOO event already decided, without reading Gmail
    assert synced is not None and synced.source is PresenceSource.CALENDAR_EVENT and changes(world) == 1
    poll(world)
    assert says(world, ALICE) == (PresenceStatus.OUT_OF_OFFICE, PresenceSource.BOTH, "Out until Monday")
    presence = presence_of(world, ALICE)
    assert presence is not None and (presence.since, presence.until) == (T0 - timedelta(days=1), T0 + timedelta(days=4))
    world.control.set_vacation(ALICE, {"enableAutoReply": False})
    poll(world)
    presence = presence_of(world, ALICE)
    assert presence is not None and presence.source is PresenceSource.CALENDAR_EVENT
    assert changes(world) == 3


def test_polling_n_principals_costs_n_calls_and_no_writes_when_nothing_changed(world: World) -> None:
    """Each poll of 3 people costs exactly 3 getVacation calls; an unchanged poll writes 0 documents, announces 0."""
    for email in (ALICE, BOB, CAROL):
        world.activate(email)
    world.activate(ROOM, kind=PrincipalKind.ROOM)  # rooms have no vacation responder
    world.control.set_vacation(BOB, _responder("Parental leave"))
    world.control.clear_requests()
    poll(world)
    assert world.count(GET_VACATION) == 3
    assert world.subjects(GET_VACATION) == {ALICE, BOB, CAROL}
    assert changes(world) == 1
    for _ in range(2):
        world.control.clear_requests()
        before = _store_writes(world)
        poll(world)
        assert world.count(GET_VACATION) == 3
        assert {email: world.count(GET_VACATION, email) for email in (ALICE, BOB, CAROL)} == dict.fromkeys(
            (ALICE, BOB, CAROL), 1
        )
        assert _store_writes(world) == before + RUN_RECORD
        assert changes(world) == 1


def test_principal_deactivated_mid_poll_is_skipped(world: World) -> None:
    """A batch handled after one of its principals was deactivated makes no getVacation call for that principal."""
    world.activate(ALICE)
    world.activate(BOB)
    world.control.set_vacation(BOB, _responder("Away"))
    held = CapturingBus()
    s = world.app.stores
    service = PresenceService(s.orgs, s.principals, s.meetings, s.presence, held, world.app.vacations, world.clock)
    batches = service.poll()
    assert batches == 1 and [topic for topic, _ in held.messages] == [VACATION_CHECK]
    batch = CheckVacation.decode(held.messages[0][1])
    bob_id = world.app.stores.principals.principal_id(world.org.id, BOB)
    assert bob_id in batch.principal_ids and len(batch.principal_ids) == 2
    world.app.provisioning.deactivate(world.org.id, BOB)
    world.settle()
    bob = world.app.stores.principals.get_principal(world.org.id, bob_id)
    assert bob is not None and bob.state is PrincipalState.DEACTIVATED
    world.control.clear_requests()
    report = world.app.presence.check(batch)
    assert (report.checked, report.skipped, report.changed, report.failed) == (1, 1, 0, 0)
    assert world.count(GET_VACATION, BOB) == 0
    assert world.count(GET_VACATION, ALICE) == 1
    assert presence_of(world, BOB) is None
    world.app.bus.publish(VACATION_CHECK, held.messages[0][1])  # the same batch through check_vacation
    world.settle()
    assert world.count(GET_VACATION, BOB) == 0
    assert world.count(GET_VACATION, ALICE) == 2


def test_gmail_scope_missing_disables_presence_and_costs_nothing(tmp_path: Path) -> None:
    """Without the Gmail scope a user is active with presence disabled, and polling makes no getVacation call."""
    calendar_only = [s for s in GOOGLE_SCOPES if "gmail" not in s]
    world = make_world(tmp_path, scopes=calendar_only)
    try:
        world.activate(ALICE)
        alice = world.app.stores.principals.find_principal(world.org.id, ALICE)
        assert alice is not None and alice.state is PrincipalState.ACTIVE
        assert alice.presence_enabled is False and alice.reason is ErrorReason.GMAIL_SCOPE_MISSING
        world.control.set_vacation(ALICE, _responder("Away"))
        world.control.clear_requests()
        before = _store_writes(world)
        poll(world)
        assert world.count(GET_VACATION) == 0
        assert presence_of(world, ALICE) is None
        assert _store_writes(world) == before + RUN_RECORD
        assert world.app.presence.poll() == 0
    finally:
        world.close()
