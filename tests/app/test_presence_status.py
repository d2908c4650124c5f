"""Presence from Calendar status on the people view: the state and the working location beside it."""

from __future__ import annotations

from datetime import timedelta

from shared.api.app_stream import StreamSettings
from tests.app.conftest import ALICE, BOB, T0, AppWorld
from tests.app.test_streams import open_stream, served
from tests.support.instant import z

__all__ = ["served"]  # the stream tests' real-HTTP fixture


def test_people_view_shows_focus_time_with_the_home_working_location(aw: AppWorld) -> None:
    """Alice's focus block and home working location reach Bob's people view after a poll, and leave after it."""
    start, end = T0 - timedelta(minutes=10), T0 + timedelta(minutes=50)
    home = {
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
        "start": {"dateTime": z(T0 - timedelta(hours=1))},
        "end": {"dateTime": z(T0 + timedelta(hours=8))},
    }
    focus = {"eventType": "focusTime", "start": {"dateTime": z(start)}, "end": {"dateTime": z(end)}}
    with aw.world.http(ALICE) as http:
        for body in (home, focus):
            assert http.post("/calendar/v3/calendars/primary/events", json=body).status_code == 200
    aw.world.settle()
    assert aw.world.runtime.run_job("poll_vacations") == 200
    aw.world.settle()
    people = aw.get(f"/v1/people?email={ALICE}", aw.user(BOB)).get_json()["people"]
    presence = people[0]["presence"]
    assert (presence["status"], presence["until"]) == ("do_not_disturb", z(end))
    assert presence["working_location"] == {"kind": "home", "label": "", "display": "Home"}
    mine = aw.get("/v1/me/presence", aw.user(ALICE)).get_json()
    assert mine["status"] == "do_not_disturb" and mine["working_location"]["kind"] == "home"
    aw.world.control.set_clock(time=z(end), frozen=True)
    aw.world.clock.set(end)
    assert aw.world.runtime.run_job("poll_vacations") == 200
    aw.world.settle()
    after = aw.get(f"/v1/people?email={ALICE}", aw.user(BOB)).get_json()["people"][0]["presence"]
    assert (after["status"], after["working_location"]["display"]) == ("available", "Home")


def test_app_stream_turns_do_not_disturb_for_the_focus_block_and_back(aw: AppWorld, served: str) -> None:
    """A stream opened inside Alice's synced focus block starts do_not_disturb; the poll after it sends available."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0, heartbeat=60.0)  # only the broadcaster can wake it
    end = T0 + timedelta(minutes=30)
    focus = {"eventType": "focusTime", "start": {"dateTime": z(T0)}, "end": {"dateTime": z(end)}}
    with aw.world.http(ALICE) as http:
        assert http.post("/calendar/v3/calendars/primary/events", json=focus).status_code == 200
    aw.world.settle()
    frames = open_stream(f"{served}/v1/me/stream", aw.user(ALICE))
    assert frames.next("status")[0] == 200
    assert frames.next("presence")[0]["status"] == "do_not_disturb"  # decided right after the sync
    aw.world.control.set_clock(time=z(end), frozen=True)
    aw.world.clock.set(end)
    assert aw.world.runtime.run_job("poll_vacations") == 200
    aw.world.settle()
    assert frames.next("presence", timeout=5)[0]["status"] == "available"
