"""Rooms that release themselves, end to end on the emulator: check-in, release at Google, exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.domain.rooms import RELEASE_COMMENT, policy_of_minutes
from tests.app.conftest import ALICE, BOB, ROOM, ROOM2, T0, AppWorld

PATCH = "calendar.events.patch"


def _release_on(aw: AppWorld, minutes: int = 10) -> None:
    aw.app.rooms.set_org_policy(aw.world.org.id, policy_of_minutes(minutes))


def _room_copy(aw: AppWorld, room: str, event_id: str) -> dict[str, Any]:
    with aw.world.http(ALICE) as http:  # Alice is the org's room delegate
        answer = http.get(f"/calendar/v3/calendars/{room}/events/{event_id}")
    answer.raise_for_status()
    return dict(answer.json())


def _busy(aw: AppWorld, room: str, start: Any, end: Any) -> list[dict[str, str]]:
    body = {"timeMin": start.isoformat(), "timeMax": end.isoformat(), "items": [{"id": room}]}
    with aw.world.http(ALICE) as http:
        answer = http.post("/calendar/v3/freeBusy", json=body)
    answer.raise_for_status()
    return list(answer.json()["calendars"][room]["busy"])


def _room_status(event: dict[str, Any], room: str) -> dict[str, Any]:
    return next(a for a in event["attendees"] if a["email"] == room)


def _check_in(aw: AppWorld, room: str, event_id: str) -> Any:
    device_id, headers = aw.device(room)
    return aw.post(f"/v1/devices/{device_id}/check-in", {"event_id": event_id}, headers)


def _run(aw: AppWorld) -> dict[str, Any]:
    answer = aw.client.post("/release_rooms", headers={"Authorization": "Bearer admin"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    aw.world.settle()
    return dict(answer.get_json())


def test_a_no_show_room_is_declined_at_google_once_and_shows_free(aw: AppWorld) -> None:
    """Ten minutes after the start without a check-in the room is declined with one patch; later runs patch nothing."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    event = aw.meeting(ALICE, start, 60, guests=(BOB, ROOM))
    assert _busy(aw, ROOM, start, start + timedelta(hours=1))
    aw.world.clock.set(start + timedelta(minutes=9, seconds=59))
    assert _run(aw)["released"] == 0
    patches = aw.world.count(PATCH)
    aw.world.clock.set(start + timedelta(minutes=10))
    assert _run(aw)["released"] == 1
    assert aw.world.count(PATCH) == patches + 1
    assert aw.world.subjects(PATCH) >= {ALICE}
    entry = _room_status(_room_copy(aw, ROOM, event["id"]), ROOM)
    assert entry["responseStatus"] == "declined" and entry["comment"] == RELEASE_COMMENT
    assert _busy(aw, ROOM, start, start + timedelta(hours=1)) == []
    with aw.world.http(ALICE) as http:  # the organiser still has the event; only the room left it
        mine = http.get(f"/calendar/v3/calendars/primary/events/{event['id']}").json()
    assert mine["status"] == "confirmed" and _room_status(mine, BOB)["email"] == BOB
    aw.world.clock.set(start + timedelta(minutes=20))
    again = _run(aw)
    assert again["released"] == 0
    assert aw.world.count(PATCH) == patches + 1


def test_a_check_in_keeps_the_booking(aw: AppWorld) -> None:
    """A display that checks in inside the window keeps the room: no patch, the room stays busy."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    event = aw.meeting(ALICE, start, 60, guests=(ROOM,))
    aw.world.clock.set(start - timedelta(minutes=5))
    answer = _check_in(aw, ROOM, event["id"])
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["outcome"] == "checked_in" and body["already"] is False
    assert body["release_at"].startswith((start + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    assert _check_in(aw, ROOM, event["id"]).get_json()["already"] is True
    patches = aw.world.count(PATCH)
    aw.world.clock.set(start + timedelta(minutes=15))
    assert _run(aw)["released"] == 0
    assert aw.world.count(PATCH) == patches
    assert _room_status(_room_copy(aw, ROOM, event["id"]), ROOM)["responseStatus"] != "declined"
    assert _busy(aw, ROOM, start, start + timedelta(hours=1)) != []


def test_two_no_show_rooms_are_two_patches(aw: AppWorld) -> None:
    """One meeting in two rooms nobody checked in to: exactly one patch per released room."""
    _release_on(aw, 5)
    start = T0 + timedelta(minutes=30)
    event = aw.meeting(ALICE, start, 60, guests=(ROOM, ROOM2))
    patches = aw.world.count(PATCH)
    aw.world.clock.set(start + timedelta(minutes=6))
    assert _run(aw)["released"] == 2
    assert aw.world.count(PATCH) == patches + 2
    for room in (ROOM, ROOM2):
        assert _room_status(_room_copy(aw, room, event["id"]), room)["responseStatus"] == "declined"


def test_recurring_hold_releases_only_that_instance(aw: AppWorld) -> None:
    """A daily hold nobody used today: today's instance is declined, tomorrow's stays booked and nothing is deleted."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    body = {
        "summary": "Daily hold",
        "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
        "attendees": [{"email": ROOM}],
    }
    with aw.world.http(ALICE) as http:
        series = http.post("/calendar/v3/calendars/primary/events", json=body).json()
    aw.world.settle()
    deletes = aw.world.count("calendar.events.delete")
    aw.world.clock.set(start + timedelta(minutes=11))
    assert _run(aw)["released"] == 1
    assert aw.world.count("calendar.events.delete") == deletes
    with aw.world.http(ALICE) as http:
        items = http.get(f"/calendar/v3/calendars/{ROOM}/events/{series['id']}/instances").json()["items"]
    statuses = [(i["start"]["dateTime"][:10], _room_status(i, ROOM)["responseStatus"]) for i in items]
    assert len(items) == 5
    assert [s for _, s in statuses].count("declined") == 1
    assert statuses[0][1] == "declined"
    assert _busy(aw, ROOM, start, start + timedelta(hours=1)) == []
    tomorrow = start + timedelta(days=1)
    assert _busy(aw, ROOM, tomorrow, tomorrow + timedelta(hours=1)) != []


def test_bad_check_ins_answer_4xx_json_and_store_nothing(aw: AppWorld) -> None:
    """Unknown device, outside the window, another room's meeting, a bad body: 4xx JSON, no record, no Google call."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    mine = aw.meeting(ALICE, start, 60, guests=(ROOM,))
    other = aw.meeting(BOB, start, 60, guests=(ROOM2,))
    device_id, headers = aw.device(ROOM)
    calls = aw.world.count(PATCH) + aw.world.count("calendar.events.get")
    aw.world.clock.set(start - timedelta(minutes=6))
    early = _check_in(aw, ROOM, mine["id"])
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "check_in_closed"
    unknown = aw.post("/v1/devices/nope/check-in", {"event_id": mine["id"]}, {"Authorization": "Device nope"})
    assert unknown.status_code == 401 and "error" in unknown.get_json()
    aw.world.clock.set(start)
    foreign = _check_in(aw, ROOM, other["id"])
    assert foreign.status_code == 404 and foreign.get_json()["error"]["code"] == "not_found"
    elsewhere = aw.post(f"/v1/devices/{device_id}/check-in", {"event_id": mine["id"]}, aw.device(ROOM2)[1])
    assert elsewhere.status_code == 403 and elsewhere.get_json()["error"]["code"] == "forbidden"
    for body in ({}, {"event_id": ""}, {"event_id": mine["id"], "x": 1}, {"event_id": 5}):
        bad = aw.post(f"/v1/devices/{device_id}/check-in", body, headers)
        assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_input", body
    aw.world.clock.set(start + timedelta(minutes=10))
    late = _check_in(aw, ROOM, mine["id"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "check_in_closed"
    assert aw.world.count(PATCH) + aw.world.count("calendar.events.get") == calls
    org = aw.world.org.id
    assert aw.app.rooms.meetings_of(org, ROOM, start.date(), 1) == []
    assert _run(aw)["released"] == 2  # room A's and room B's meetings: nobody checked in to either
    after = _check_in(aw, ROOM, mine["id"])
    assert after.status_code == 409 and "released" in after.get_json()["error"]["message"]


def test_exempt_meetings_keep_the_room(aw: AppWorld) -> None:
    """The #keeproom keyword or the hybridcalRoomRelease=exempt property keep the room: no patch, counted exempt."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    keyword = aw.meeting(ALICE, start, 60, guests=(ROOM,), summary="Board")
    aw.patch(ALICE, keyword["id"], {"description": "Quiet work, please #keeproom"})
    prop = aw.meeting(BOB, start, 60, guests=(ROOM2,))
    aw.patch(BOB, prop["id"], {"extendedProperties": {"shared": {"hybridcalRoomRelease": "exempt"}}})
    patches = aw.world.count(PATCH)
    aw.world.clock.set(start + timedelta(minutes=11))
    report = _run(aw)
    assert (report["released"], report["exempt"]) == (0, 2)
    assert aw.world.count(PATCH) == patches
    for room, event in ((ROOM, keyword), (ROOM2, prop)):
        assert _room_status(_room_copy(aw, room, event["id"]), room)["responseStatus"] != "declined"


def test_policy_override_report_and_admin_views(aw: AppWorld) -> None:
    """Room A off by override, room B on by default: the report counts no_policy, checked_in and released per room."""
    org = aw.world.org.id
    admin = {"Authorization": "Bearer admin"}
    assert aw.client.get(f"/admin/v1/orgs/{org}/room-release", headers=admin).get_json() == {"minutes": None}
    put = aw.client.put(f"/admin/v1/orgs/{org}/room-release", json={"minutes": 10}, headers=admin)
    assert put.status_code == 200 and put.get_json() == {"minutes": 10}
    path = f"/admin/v1/orgs/{org}/principals/{ROOM}/room-release"
    off = aw.client.put(path, json={"minutes": None}, headers=admin).get_json()
    assert off == {"override": True, "override_minutes": None, "minutes": None}
    for bad in ({"minutes": 0}, {"minutes": 241}, {"minutes": 5, "inherit": True}, {"other": 1}):
        answer = aw.client.put(path, json=bad, headers=admin)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_input", bad
    person = aw.client.put(f"/admin/v1/orgs/{org}/principals/{BOB}/room-release", json={"minutes": 5}, headers=admin)
    assert person.status_code == 400
    start = T0 + timedelta(minutes=30)
    first = aw.meeting(ALICE, start, 30, guests=(ROOM, ROOM2))
    second = aw.meeting(ALICE, start + timedelta(hours=1), 30, guests=(ROOM2,))
    aw.world.clock.set(start + timedelta(minutes=2))
    assert _check_in(aw, ROOM2, first["id"]).status_code == 200
    aw.world.clock.set(start + timedelta(hours=1, minutes=10))
    report = _run(aw)
    assert (report["released"], report["no_policy"]) == (1, 1)
    day = start.date().isoformat()
    rows = aw.client.get(f"/admin/v1/orgs/{org}/room-report?from={day}&days=1", headers=admin).get_json()["rooms"]
    counts = {r["room"]: (r["released"], r["checked_in"], r["no_policy"]) for r in rows}
    assert counts == {ROOM: (0, 0, 1), ROOM2: (1, 1, 0)}
    listed = aw.client.get(f"/admin/v1/orgs/{org}/principals/{ROOM2}/room-meetings?from={day}", headers=admin)
    outcomes = {m["event_id"]: m["outcome"] for m in listed.get_json()["meetings"]}
    assert outcomes == {first["id"]: "checked_in", second["id"]: "released"}
    bad = aw.client.get(f"/admin/v1/orgs/{org}/room-report?from=yesterday", headers=admin)
    assert bad.status_code == 400
    inherit = aw.client.put(path, json={"inherit": True}, headers=admin).get_json()
    assert inherit == {"override": False, "override_minutes": None, "minutes": 10}


def test_google_unavailable_defers_the_release_to_the_next_run(aw: AppWorld) -> None:
    """A patch Google keeps answering 503 leaves no record; the next run releases the room with one good patch."""
    _release_on(aw)
    start = T0 + timedelta(minutes=30)
    event = aw.meeting(ALICE, start, 60, guests=(ROOM,))
    aw.world.clock.set(start + timedelta(minutes=12))
    aw.world.control.set_faults(PATCH, rate503=1.0, retryAfter=0)
    try:
        deferred = _run(aw)
    finally:
        aw.world.control.clear_faults()
    assert (deferred["released"], deferred["retry"], deferred["errors"]) == (0, 1, ["unavailable"])
    assert aw.app.rooms.meetings_of(aw.world.org.id, ROOM, start.date(), 1) == []
    ok = aw.world.control.count(PATCH, 200)
    assert _run(aw)["released"] == 1
    assert aw.world.control.count(PATCH, 200) == ok + 1
    assert _room_status(_room_copy(aw, ROOM, event["id"]), ROOM)["responseStatus"] == "declined"
    [record] = aw.app.rooms.meetings_of(aw.world.org.id, ROOM, start.date(), 1)
    assert record.outcome.value == "released"
