"""Presence from Calendar status end to end: the emulator, the sync, the app stream and the people view."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.api.app_stream import StreamSettings
from tests.app.conftest import ALICE, BOB, T0, AppWorld, aw
from tests.app.test_streams import Frames, open_stream, served
from tests.support.instant import z

__all__ = ["aw", "served"]  # the app world and its real-HTTP server
GET_VACATION = "gmail.users.settings.getVacation"


def _stream(aw: AppWorld, served: str, email: str) -> Frames:
    """An open stream of ``email`` (woken only by the broadcaster), past its first presence frame."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0, heartbeat=60.0)
    frames = open_stream(f"{served}/v1/me/stream", aw.user(email))
    assert frames.next("status")[0] == 200
    assert frames.next("presence")[0]["status"] == "available"
    return frames


def _insert(aw: AppWorld, who: str, body: dict[str, Any]) -> dict[str, Any]:
    with aw.world.http(who) as http:
        response = http.post("/calendar/v3/calendars/primary/events", json=body)
    assert response.status_code == 200, response.text
    aw.world.settle()
    return dict(response.json())


def _calls(aw: AppWorld) -> dict[str, int]:
    """Google calls since the last clear, by operation."""
    return dict(aw.world.control.requests()["countsByOperation"])


def _focus(start: Any, end: Any) -> dict[str, Any]:
    return {"eventType": "focusTime", "start": {"dateTime": z(start)}, "end": {"dateTime": z(end)}}


def test_focus_time_turns_the_app_stream_do_not_disturb_and_back_when_deleted(aw: AppWorld, served: str) -> None:
    """Creating a focus block over now sends do_not_disturb on Alice's stream, deleting it available; one list each."""
    frames = _stream(aw, served, ALICE)
    aw.world.control.clear_requests()
    end = T0 + timedelta(minutes=45)
    focus = _insert(aw, ALICE, _focus(T0 - timedelta(minutes=15), end))
    shown = frames.next("presence", timeout=10)[0]
    assert (shown["status"], shown["until"]) == ("do_not_disturb", z(end))
    aw.cancel(ALICE, focus["id"])
    assert frames.next("presence", timeout=10)[0]["status"] == "available"
    # two hand-made calls (each signs in); the service: the one events.list each push triggers, no Gmail
    assert _calls(aw) == {
        "oauth2.token": 2,
        "calendar.events.insert": 1,
        "calendar.events.delete": 1,
        "calendar.events.list": 2,
    }


def test_a_focus_block_that_ends_turns_available_at_the_next_poll(aw: AppWorld, served: str) -> None:
    """The poll after the block's end sends available on the stream: one vacation read per person, no Calendar call."""
    frames = _stream(aw, served, ALICE)
    end = T0 + timedelta(minutes=30)
    _insert(aw, ALICE, _focus(T0, end))
    assert frames.next("presence", timeout=10)[0]["status"] == "do_not_disturb"
    aw.world.control.set_clock(time=z(end), frozen=True)
    aw.world.clock.set(end)
    aw.world.control.clear_requests()
    assert aw.world.runtime.run_job("poll_vacations") == 200
    aw.world.settle()
    assert frames.next("presence", timeout=10)[0]["status"] == "available"
    calls = _calls(aw)
    # one vacation read per active person of both orgs (Alice, Bob, Zed), nothing else
    assert calls == {GET_VACATION: 3}


def test_working_location_reaches_the_people_view_at_the_sync(aw: AppWorld) -> None:
    """Alice's office working location is on Bob's people view right after its sync, with no poll and no extra call."""
    aw.world.control.clear_requests()
    office = {
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": {
            "type": "officeLocation",
            "officeLocation": {"buildingId": "b1", "label": "HQ 2F"},
        },
        "start": {"dateTime": z(T0 - timedelta(hours=1))},
        "end": {"dateTime": z(T0 + timedelta(hours=8))},
    }
    _insert(aw, ALICE, office)
    people = aw.get(f"/v1/people?email={ALICE}", aw.user(BOB)).get_json()["people"]
    presence = people[0]["presence"]
    assert presence["status"] == "available"
    assert presence["working_location"] == {"kind": "office", "label": "HQ 2F", "display": "Office · HQ 2F"}
    assert _calls(aw) == {"oauth2.token": 1, "calendar.events.insert": 1, "calendar.events.list": 1}


def test_accepting_a_meeting_in_progress_turns_the_stream_in_meeting(aw: AppWorld, served: str) -> None:
    """Alice accepts Bob's meeting in progress in the app: her stream says in_meeting until its end, no Gmail call."""
    event = aw.meeting(BOB, T0 - timedelta(minutes=5), 30, guests=(ALICE,), summary="Planning")
    frames = _stream(aw, served, ALICE)  # invited, not accepted: still available
    aw.world.control.clear_requests()
    answer = aw.post(f"/v1/me/meetings/{event['id']}/rsvp", {"response": "accepted"}, aw.user(ALICE))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    aw.world.settle()
    shown = frames.next("presence", timeout=10)[0]
    assert (shown["status"], shown["until"]) == ("in_meeting", z(T0 + timedelta(minutes=25)))
    calls = _calls(aw)
    assert GET_VACATION not in calls and calls.get("calendar.events.patch") == 1
