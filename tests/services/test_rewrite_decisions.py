"""Every join-detail decision the rewrite records, one row per way an event can reach it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from shared.documents import Query
from shared.domain.decisions import NOT_ORGANISER, hint_for
from shared.domain.joinblock import BLOCK_BEGIN
from tests.support.instant import T0, z
from tests.support.world import World

ALICE, BOB = "alice@example.com", "bob@example.com"


def body(location: str = "", description: str = "", **extra: Any) -> dict[str, Any]:
    """A 30-minute event an hour after ``T0``."""
    start = T0 + timedelta(hours=1)
    return {
        "summary": "Planning",
        "location": location,
        "description": description,
        "start": {"dateTime": z(start)},
        "end": {"dateTime": z(start + timedelta(minutes=30))},
        **extra,
    }


def create(world: World, who: str, event: dict[str, Any]) -> str:
    """Insert ``event`` on ``who``'s calendar; its id."""
    with world.http(who) as http:
        answer = http.post(f"/calendar/v3/calendars/{who}/events", json=event)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def change(world: World, who: str, event_id: str, patch: dict[str, Any] | None) -> None:
    """Patch the event by hand (None deletes it)."""
    with world.http(who) as http:
        path = f"/calendar/v3/calendars/{who}/events/{event_id}"
        answer = http.delete(path) if patch is None else http.patch(path, json=patch)
    assert answer.status_code in (200, 204), answer.text


def decision(world: World, who: str, event_id: str) -> tuple[str, str | None]:
    """The latest decision recorded for the event on ``who``'s calendar: outcome and reason."""
    pid = world.app.stores.principals.principal_id(world.org.id, who)
    for found in world.app.stores.decisions.list_decisions(world.org.id, pid, limit=100):
        if found["event_id"] == event_id:
            return str(found["outcome"]), None if found["reason"] is None else str(found["reason"])
    raise AssertionError(f"no decision recorded for {event_id}")


def added_then(patch: dict[str, Any] | None) -> Callable[[World], str]:
    """Alice's keyword event, settled with its block, then changed by ``patch`` (None: deleted)."""

    def scenario(world: World) -> str:
        event_id = create(world, ALICE, body("Room 4 @webex"))
        world.settle()
        assert decision(world, ALICE, event_id) == ("added", None)
        world.clock.advance(timedelta(seconds=1))  # decisions are ordered by the service clock
        change(world, ALICE, event_id, patch)
        return event_id

    return scenario


def rewritten(scenario: Callable[[World], str]) -> Callable[[World], str]:
    """``scenario``, settled, then its event delivered to the rewrite once more (a redelivered message)."""

    def run(world: World) -> str:
        event_id = scenario(world)
        world.settle()
        world.clock.advance(timedelta(seconds=1))  # decisions are ordered by the service clock
        pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
        world.app.rewrite.rewrite(world.org.id, pid, event_id)
        return event_id

    return run


def plain(location: str, description: str = "") -> Callable[[World], str]:
    """Alice creates one event."""
    return lambda world: create(world, ALICE, body(location, description))


# name, scenario, outcome, reason, whether the event then holds a join block (None: not looked at)
CASES: list[tuple[str, Callable[[World], str], str, str | None, bool | None]] = [
    ("keyword", plain("Room 4 @webex"), "added", None, True),
    ("redelivered", rewritten(plain("@webex")), "unchanged", None, True),
    ("keyword removed", added_then({"location": "Room 4"}), "removed", None, False),
    ("block edited away", rewritten(added_then({"description": "Bring the numbers"})), "replaced", None, True),
    ("deleted", added_then(None), "skipped", "cancelled", None),
    ("no keyword", rewritten(plain("Room 4")), "skipped", "no_keyword", False),
    ("too large", plain("@webex", "x" * 8000), "skipped", "too_large", False),
]


@pytest.mark.parametrize(("scenario", "expected", "reason", "block"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_decision_is_recorded_for_the_event(
    world: World, scenario: Callable[[World], str], expected: str, reason: str | None, block: bool | None
) -> None:
    """After the deployment settles, the event's latest decision is the one its scenario leads to."""
    world.activate(ALICE)
    event_id = scenario(world)
    world.settle()
    assert decision(world, ALICE, event_id) == (expected, reason)
    if reason is not None:
        assert hint_for(reason), f"no hint explains {reason}"
    if block is not None:
        with world.http(ALICE) as http:
            found = http.get(f"/calendar/v3/calendars/{ALICE}/events/{event_id}").json()
        assert (BLOCK_BEGIN in str(found.get("description", ""))) is block


def test_an_attendees_copy_is_not_the_organisers(world: World) -> None:
    """Bob's copy of Alice's keyword event is decided not_organiser and never patched on his calendar."""
    world.activate(ALICE)
    world.activate(BOB)
    event_id = create(world, ALICE, body("@webex", attendees=[{"email": BOB}]))
    world.settle()
    assert decision(world, ALICE, event_id) == ("added", None)
    assert decision(world, BOB, event_id) == ("skipped", NOT_ORGANISER)
    assert world.subjects("calendar.events.patch") == {ALICE}


def test_a_calendar_that_is_not_active_is_not_rewritten(world: World) -> None:
    """The rewrite of an event on a calendar nobody activated records principal_not_active and patches nothing."""
    carol = world.app.stores.principals.principal_id(world.org.id, "carol@example.com")
    outcome = world.app.rewrite.rewrite(world.org.id, carol, "some-event")
    assert (outcome.outcome, outcome.reason) == ("skipped", "principal_not_active")
    assert world.count("calendar.events.patch") == 0


def test_a_late_rewrite_for_a_deactivated_calendar_leaves_its_destroyed_data_destroyed(world: World) -> None:
    """A rewrite message still queued when Alice is deactivated finds her data shredded and writes none back:
    no decision, and no new key material under her name."""
    world.activate(ALICE)
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    documents = world.app.stores.documents
    assert documents.get(f"orgs/{world.org.id}/principalKeys/{pid}") is None  # what deactivation shredded

    outcome = world.app.rewrite.rewrite(world.org.id, pid, "late-event")

    assert (outcome.outcome, outcome.reason) == ("skipped", "principal_not_active")
    assert documents.get(f"orgs/{world.org.id}/principalKeys/{pid}") is None
    assert world.app.stores.decisions.list_decisions(world.org.id, pid, limit=10) == []
    assert world.count("calendar.events.patch") == 0


def test_a_rewrite_for_an_org_that_does_not_exist_stores_nothing(world: World) -> None:
    """A message naming an org that was deleted (or never was) makes no key and records no decision for it."""
    outcome = world.app.rewrite.rewrite("no-such-org", "p1", "e1")

    assert (outcome.outcome, outcome.reason) == ("skipped", "principal_not_active")
    documents = world.app.stores.documents
    for collection in ("keys", "principalKeys", "decisions"):
        assert list(documents.query(Query(f"orgs/no-such-org/{collection}"))) == [], collection
