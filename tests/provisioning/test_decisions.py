"""Join-detail decisions explain skips: an attendee's keyword is `not_organiser`, shown by `users show` with a hint."""

from __future__ import annotations

from shared.domain.principals import PrincipalKind
from tests.e2e.test_sync_pipeline import ALICE, BOB, _create, _event
from tests.provisioning.conftest import Cli
from tests.support.world import ROOMS

ROOM = ROOMS[0]["email"]


def test_an_attendee_typing_the_keyword_gets_a_not_organiser_decision(cli: Cli) -> None:
    """Bob types @webex on his copy of Alice's meeting: nothing is patched and Bob's decision says not_organiser."""
    world = cli.world
    world.activate(ALICE)
    world.activate(BOB)
    event = _create(world, ALICE, _event("Design review", 3, attendees=[BOB]))
    world.settle()
    world.control.clear_requests()
    with world.http(BOB) as http:
        answer = http.patch(f"/calendar/v3/calendars/{BOB}/events/{event['id']}", json={"location": "Room 2 @webex"})
        assert answer.status_code == 200
    world.settle()
    assert world.count("calendar.events.patch") == 1  # Bob's own edit; the service patched nothing
    shown = cli.json("users", "show", "example-com", BOB)
    [decision] = shown["decisions"]
    assert (decision["event_id"], decision["outcome"], decision["reason"]) == (event["id"], "skipped", "not_organiser")
    assert "only the organiser's event gets join details" in decision["hint"]
    assert cli.json("users", "show", "example-com", ALICE)["decisions"] == []
    human = cli("users", "show", "example-com", BOB, columns=100)
    assert "not_organiser" in human.stdout and "attendee's copy" in " ".join(human.stdout.split())


def test_a_room_and_an_attendee_of_a_keyworded_series_are_explained_once_per_series(cli: Cli) -> None:
    """The organiser's series gets its block; the invited room and attendee each get one not_organiser decision."""
    world = cli.world
    world.activate(ALICE)
    world.activate(BOB)
    world.activate(ROOM, PrincipalKind.ROOM)
    series = _event("Stand-up", 2, attendees=[BOB, ROOM], location="@webex", recurrence=["RRULE:FREQ=DAILY;COUNT=5"])
    created = _create(world, ALICE, series)
    world.settle()
    alice = cli.json("users", "show", "example-com", ALICE)["decisions"]
    assert [(d["event_id"], d["outcome"]) for d in alice] == [(created["id"], "added")]
    for who, kind in ((BOB, "users"), (ROOM, "rooms")):
        decisions = cli.json(kind, "show", "example-com", who)["decisions"]
        assert [(d["event_id"], d["reason"]) for d in decisions] == [(created["id"], "not_organiser")], who
