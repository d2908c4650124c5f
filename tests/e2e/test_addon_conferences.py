"""The Calendar add-on's conference end to end on the emulator: the same meeting as the keyword, exactly once.

Each test plays Calendar: the add-on's request (``POST /v1/conferences``), then the emulator's control
route storing the answer on the event as Calendar does, then the push, the sync and the rewrite.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace
from werkzeug.serving import make_server

from emulator.testing import BASE_URL
from shared.domain.joinblock import BLOCK_BEGIN
from shared.domain.meetings import JoinKind
from tests.addon.test_addon import _node
from tests.app.conftest import ALICE, BOB, CAROL, ROOM, T0, AppWorld, build_app_world
from tests.support import addon
from tests.support.lifetime import checked_world
from tests.support.world import stored


def _configure(settings: Any) -> Any:
    return replace(settings, addon_client_ids=(addon.ADDON_CLIENT,), webex_base_url=f"{BASE_URL}/webex/v1")


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AppWorld]:
    """The app world (personal rooms) whose service accepts the add-on's client id."""
    w = build_app_world(tmp_path, _configure)
    with checked_world(w.world):
        yield w


@pytest.fixture
def webex(aw: AppWorld) -> AppWorld:
    """The same world with the org scheduling one Webex meeting per event (the emulator's Webex API)."""
    org = replace(aw.world.org, provider="webex_api")
    aw.app.stores.orgs.put_org(org)
    aw.app.stores.orgs.put_org_secret(org.id, "webex_access_token", "webex-token-123")
    aw.world.org = org
    return aw


def _token(aw: AppWorld, email: str = ALICE) -> str:
    return aw.id_token(email, audience=addon.ADDON_CLIENT)


def _create(aw: AppWorld, body: dict[str, Any], who: str = ALICE) -> dict[str, Any]:
    with aw.world.http(who) as http:
        created = http.post(f"/calendar/v3/calendars/{who}/events", json=body)
    assert created.status_code == 200, created.text
    return dict(created.json())


def _event(summary: str, hours: float, *, guests: tuple[str, ...] = (BOB, ROOM), **fields: Any) -> dict[str, Any]:
    start = T0 + timedelta(hours=hours)
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (start + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Berlin"},
        "attendees": [{"email": g} for g in guests],
        **fields,
    }


def _get(aw: AppWorld, event_id: str, who: str = ALICE) -> dict[str, Any]:
    with aw.world.http(who) as http:
        return dict(http.get(f"/calendar/v3/calendars/{who}/events/{event_id}").json())


def _patch(aw: AppWorld, event_id: str, body: dict[str, Any], **params: str) -> None:
    with aw.world.http(ALICE) as http:
        answer = http.patch(f"/calendar/v3/calendars/{ALICE}/events/{event_id}", json=body, params=params)
    assert answer.status_code == 200, answer.text


def _conference(aw: AppWorld, event_id: str, solution: str = "webex_personal_room") -> dict[str, Any]:
    """The add-on asks; Calendar stores the answer on the event; the service syncs it."""
    answer = addon.ask(aw.client, _token(aw), addon.body(ALICE, event_id, solution))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    aw.world.control.attach_addon_conference(ALICE, event_id, addon.calendar_conference(body))
    aw.world.settle()
    return body


def _webex_meeting(aw: AppWorld, ref: str) -> dict[str, Any]:
    with aw.world.http(ALICE) as http:
        found = http.get(f"/webex/v1/meetings/{ref.removeprefix('webex:')}", headers={"Authorization": "Bearer x"})
    assert found.status_code == 200, found.text
    return dict(found.json())


def _meeting(aw: AppWorld, event_id: str, who: str = ALICE) -> Any:
    pid = aw.app.stores.principals.principal_id(aw.world.org.id, who)
    return aw.app.stores.meetings.get_meeting(aw.world.org.id, pid, event_id, aw.world.clock.now())


def test_an_add_on_conference_is_listed_with_its_join_target_and_gets_join_buttons(aw: AppWorld) -> None:
    """The add-on's personal room becomes the join target of every copy and the join button at the lead time."""
    event = _create(aw, _event("Planning", 1))
    aw.world.settle()
    aw.world.control.clear_requests()
    answer = _conference(aw, event["id"])
    room = "https://example.webex.com/meet/alice"
    assert answer["conference_id"] == "pmr:alice" and answer["solution"] == "webex_personal_room"
    assert [(p["type"], p["uri"]) for p in answer["entry_points"]] == [
        ("video", room),
        ("sip", "sip:alice@example.webex.com"),
    ]
    assert answer["parameters"]["hcEventId"] == event["id"]
    assert aw.world.count("calendar.events.patch") == 1  # the marker: private properties only, no block
    google = _get(aw, event["id"])
    assert BLOCK_BEGIN not in google.get("description", "")
    assert google["extendedProperties"]["private"]["hcConference"] == "pmr:alice"
    for who in (ALICE, BOB, ROOM):
        meeting = _meeting(aw, event["id"], who)
        assert meeting.primary_join_target.kind is JoinKind.WEBEX and meeting.primary_join_target.uri == room, who
    listed = aw.get("/v1/me/meetings", aw.user(BOB)).get_json()["meetings"]
    assert [(m["id"], m["join_target"]["uri"]) for m in listed] == [(event["id"], room)]
    device_id, device = aw.device(ROOM)
    on_device = aw.get(f"/v1/devices/{device_id}/meetings", device).get_json()["meetings"]
    assert on_device[0]["join_target"]["kind"] == "webex"
    aw.world.clock.set(T0 + timedelta(minutes=54))
    assert aw.app.join_buttons.dispatch().sent == 0
    aw.world.clock.set(T0 + timedelta(minutes=55))
    assert aw.app.join_buttons.dispatch().sent == 4  # Alice, Bob, both devices of the room
    notices = aw.app.stores.notices.live_notices(aw.world.org.id, aw.world.clock.now())
    assert {n.notice.target.uri for n in notices if n.notice.target} == {room}


def test_the_same_event_gaining_the_keyword_keeps_one_meeting_and_no_block(webex: AppWorld) -> None:
    """Add-on conference, then `@webex`: one Webex meeting, no block, one patch per change, exact provider calls."""
    aw = webex
    event = _create(aw, _event("Review", 2))
    aw.world.settle()
    aw.world.control.clear_requests()
    answer = _conference(aw, event["id"])
    ref = answer["conference_id"]
    assert ref.startswith("webex:")
    assert (aw.world.count("webex.meetings.create"), aw.world.count("webex.meetings.update")) == (1, 0)
    assert aw.world.count("calendar.events.patch") == 1
    aw.world.control.clear_requests()
    _patch(aw, event["id"], {"location": "Room 4 @webex"})
    aw.world.settle()
    assert aw.world.count("calendar.events.patch") == 2  # the user's edit and the service's marker
    for operation in ("create", "update", "delete"):
        assert aw.world.count(f"webex.meetings.{operation}") == 0, operation
    google = _get(aw, event["id"])
    assert BLOCK_BEGIN not in google.get("description", "")
    assert google["extendedProperties"]["private"]["hcRewrite"] == "@webex"
    assert google["extendedProperties"]["private"]["hcMeetingRef"] == ref
    targets = _meeting(aw, event["id"]).join_targets
    assert [t.kind for t in targets] == [JoinKind.WEBEX, JoinKind.SIP]
    assert targets[0].uri == _webex_meeting(aw, ref)["webLink"]
    pid = aw.app.stores.principals.principal_id(aw.world.org.id, ALICE)
    decision = aw.app.stores.decisions.list_decisions(aw.world.org.id, pid)[0]
    assert (decision["outcome"], decision["reason"]) == ("added", "addon_conference")
    aw.world.control.clear_requests()
    again = addon.ask(aw.client, _token(aw), addon.body(ALICE, event["id"]))
    assert again.status_code == 200 and again.get_json()["conference_id"] == ref
    assert aw.world.count("webex.meetings.create") + aw.world.count("webex.meetings.update") == 0


def test_a_block_written_before_the_conference_gives_way_to_it(webex: AppWorld) -> None:
    """`@webex` first, then the add-on: the add-on answers the keyword's meeting and the block is removed, once."""
    aw = webex
    event = _create(aw, _event("Sync", 3, location="@webex", description="Agenda"))
    aw.world.settle()
    keyword_ref = _get(aw, event["id"])["extendedProperties"]["private"]["hcMeetingRef"]
    aw.world.control.clear_requests()
    answer = _conference(aw, event["id"])
    assert answer["conference_id"] == keyword_ref
    assert aw.world.count("webex.meetings.create") == 0 and aw.world.count("webex.meetings.delete") == 0
    assert aw.world.count("calendar.events.patch") == 1
    assert _get(aw, event["id"])["description"] == "Agenda"


def test_an_event_calendar_saves_after_the_add_on_answered_is_matched(webex: AppWorld) -> None:
    """Asked before the event exists: the meeting is reserved, then gets the event's title and times when it syncs."""
    aw = webex
    event_id = "addonfirst0001"
    first = addon.ask(aw.client, _token(aw), addon.body(ALICE, event_id))
    assert first.status_code == 200, first.get_data(as_text=True)
    ref = first.get_json()["conference_id"]
    assert aw.world.count("webex.meetings.create") == 1
    assert _webex_meeting(aw, ref)["title"] == "Meeting"
    replay = addon.ask(aw.client, _token(aw), addon.body(ALICE, event_id))
    assert replay.get_json() == first.get_json() and aw.world.count("webex.meetings.create") == 1
    aw.world.control.clear_requests()
    _create(aw, _event("Board meeting", 4, id=event_id))
    aw.world.control.attach_addon_conference(ALICE, event_id, addon.calendar_conference(first.get_json()))
    aw.world.settle()
    assert aw.world.count("webex.meetings.update") == 1 and aw.world.count("webex.meetings.create") == 0
    scheduled = _webex_meeting(aw, ref)
    assert scheduled["title"] == "Board meeting"
    assert scheduled["start"].startswith((T0 + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    assert aw.world.count("calendar.events.patch") == 1
    held = aw.app.meeting_records.get(
        aw.world.org.id, aw.app.stores.principals.principal_id(aw.world.org.id, ALICE), event_id
    )
    assert held is not None and held.state == "active"


def test_deleting_or_leaving_the_event_releases_its_meeting(webex: AppWorld) -> None:
    """Removing the chip releases the Webex meeting and a replay makes a new one; deleting the event releases that."""
    aw = webex
    event = _create(aw, _event("Doomed", 5))
    aw.world.settle()
    first = _conference(aw, event["id"])
    aw.world.control.clear_requests()
    _patch(aw, event["id"], {"conferenceData": None}, conferenceDataVersion="1")
    aw.world.settle()
    assert aw.world.count("webex.meetings.delete") == 1
    private = _get(aw, event["id"]).get("extendedProperties", {}).get("private", {})
    assert not {"hcConference", "hcMeetingRef"} & set(private)
    again = _conference(aw, event["id"])
    assert again["conference_id"] != first["conference_id"]
    assert aw.world.count("webex.meetings.create") == 1
    aw.world.control.clear_requests()
    with aw.world.http(ALICE) as http:
        assert http.delete(f"/calendar/v3/calendars/{ALICE}/events/{event['id']}").status_code == 204
    aw.world.settle()
    assert aw.world.count("webex.meetings.delete") == 1
    with aw.world.http(ALICE) as http:
        gone = http.get(
            f"/webex/v1/meetings/{again['conference_id'].removeprefix('webex:')}", headers={"Authorization": "Bearer x"}
        )
    assert gone.status_code == 404
    assert aw.world.count("calendar.events.patch") == 0  # nothing is written to a deleted event
    late = addon.ask(aw.client, _token(aw), addon.body(ALICE, event["id"]))
    assert late.status_code == 404 and late.get_json()["error"]["code"] == "not_found"


def test_a_duplicated_event_gets_its_own_meeting_except_a_personal_room(webex: AppWorld) -> None:
    """A copy of an event with its block and private properties gets a new Webex meeting; the original keeps its own."""
    aw = webex
    original = _create(aw, _event("Weekly", 6, location="@webex", description="Notes"))
    aw.world.settle()
    first = _get(aw, original["id"])
    copied = {k: first[k] for k in ("summary", "location", "description", "start", "end", "extendedProperties")}
    aw.world.control.clear_requests()
    duplicate = _create(aw, copied)
    aw.world.settle()
    assert aw.world.count("webex.meetings.create") == 1 and aw.world.count("webex.meetings.delete") == 0
    ours = _get(aw, duplicate["id"])["extendedProperties"]["private"]
    theirs = first["extendedProperties"]["private"]
    assert ours["hcEventId"] == duplicate["id"] and ours["hcMeetingRef"] != theirs["hcMeetingRef"]
    assert _get(aw, original["id"])["description"] == first["description"]
    space = addon.ask(aw.client, _token(aw), addon.body(ALICE, duplicate["id"], "webex_space")).get_json()
    original_space = addon.ask(aw.client, _token(aw), addon.body(ALICE, original["id"], "webex_space")).get_json()
    assert space["conference_id"] != original_space["conference_id"]
    room = addon.ask(aw.client, _token(aw), addon.body(ALICE, duplicate["id"])).get_json()
    assert room["conference_id"] == ours["hcMeetingRef"]  # the org's personal_room kind schedules a meeting per event


def test_a_duplicate_shares_only_a_personal_room(aw: AppWorld) -> None:
    """With personal rooms, a duplicate and its original name the same room, and neither releases anything."""
    original = _create(aw, _event("Daily", 7, location="@webex"))
    aw.world.settle()
    first = _get(aw, original["id"])
    copied = {k: first[k] for k in ("summary", "location", "description", "start", "end", "extendedProperties")}
    duplicate = _create(aw, copied)
    aw.world.settle()
    assert _get(aw, duplicate["id"])["extendedProperties"]["private"]["hcMeetingRef"] == "pmr:alice"
    answer = addon.ask(aw.client, _token(aw), addon.body(ALICE, duplicate["id"])).get_json()
    assert answer["conference_id"] == "pmr:alice"
    assert stored(aw.world, ALICE)[duplicate["id"]] == "Daily"


def test_a_user_who_is_not_active_gets_the_sign_in_error_with_the_settings_link(aw: AppWorld) -> None:
    """Carol (not activated) and a user of a domain the service does not serve get 403 not_activated and the link."""
    aw.world.control.create_domain("elsewhere.example", users=[{"email": "eve@elsewhere.example", "name": "Eve"}])
    for email in (CAROL, "eve@elsewhere.example"):
        answer = addon.ask(aw.client, _token(aw, email), addon.body(email, "abcdef12345"))
        assert answer.status_code == 403, email
        error = answer.get_json()["error"]
        assert error["code"] == "not_activated" and error["settings_url"] == "http://hybrid-calendar.test/app"
        assert error["hint"]
    assert aw.world.count("webex.meetings.create") == 0


def test_a_reservation_calendar_never_saved_is_released_a_day_later(webex: AppWorld) -> None:
    """The maintenance job releases an unsaved event's Webex meeting after a day, and keeps one its event holds."""
    aw = webex
    discarded = addon.ask(aw.client, _token(aw), addon.body(ALICE, "discarded0001")).get_json()
    kept = addon.ask(aw.client, _token(aw), addon.body(ALICE, "keptevent0001")).get_json()
    aw.world.control.set_faults("calendar.events.watch", pushDropRate=1.0)  # the service hears of nothing
    _create(aw, _event("Kept", 30, id="keptevent0001"))
    aw.world.control.attach_addon_conference(ALICE, "keptevent0001", addon.calendar_conference(kept))
    aw.world.control.clear_requests()
    aw.world.clock.advance(timedelta(hours=23))
    assert aw.app.channels.maintain().released == 0
    assert aw.world.count("webex.meetings.delete") == 0
    aw.world.clock.advance(timedelta(hours=2))
    assert aw.app.channels.maintain().released == 1
    assert aw.world.count("webex.meetings.delete") == 1
    pid = aw.app.stores.principals.principal_id(aw.world.org.id, ALICE)
    gone = aw.app.meeting_records.get(aw.world.org.id, pid, "discarded0001")
    held = aw.app.meeting_records.get(aw.world.org.id, pid, "keptevent0001")
    assert gone is not None and gone.state == "released" and gone.details.reference == discarded["conference_id"]
    assert held is not None and held.state == "active"
    assert _webex_meeting(aw, kept["conference_id"])["title"] == "Kept"
    decisions = {d["event_id"]: d["reason"] for d in aw.app.stores.decisions.list_decisions(aw.world.org.id, pid)}
    assert decisions["discarded0001"] == "addon_conference_unused"
    assert aw.app.channels.maintain().released == 0  # released once


def _run_addon(node: str, service: str, token: str, function: str, event_id: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "HC_SERVICE": service,
        "HC_TOKEN": token,
        "HC_FUNCTION": function,
        "HC_CALENDAR": ALICE,
        "HC_EVENT": event_id,
    }
    script = Path(__file__).resolve().parents[1] / "addon" / "js" / "live.mjs"
    done = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_add_ons_own_code_gets_the_conference_from_the_running_route(aw: AppWorld) -> None:
    """addon/*.gs under Node asks the service over HTTP; Calendar stores its ConferenceData; the meeting is listed."""
    node = _node()
    server = make_server("127.0.0.1", 0, aw.world.runtime, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        service = f"http://127.0.0.1:{server.server_port}"
        event = _create(aw, _event("Chip", 8))
        aw.world.settle()
        result = _run_addon(node, service, _token(aw), "createSpaceConference", event["id"])
        data = result["data"]
        assert [c["payload"] for c in result["calls"]] == [addon.body(ALICE, event["id"], "webex_space")]
        assert data["conferenceSolutionId"] == "webex_space" and data["conferenceId"].startswith("space:")
        assert [p["entryPointType"] for p in data["entryPoints"]] == ["VIDEO", "SIP"]
        aw.world.control.attach_addon_conference(ALICE, event["id"], addon.from_apps_script(data))
        aw.world.settle()
        target = _meeting(aw, event["id"], BOB).primary_join_target
        assert target.kind is JoinKind.WEBEX and target.uri == data["entryPoints"][0]["uri"]
        refused = _run_addon(node, service, _token(aw, CAROL), "createPersonalRoomConference", "abcdef12345")["data"]
        # Carol is not activated: Calendar's sign-in error, with the add-on's own link (the service's is http here).
        assert refused["error"] == {
            "conferenceErrorType": "AUTHENTICATION",
            "authenticationUrl": "https://hybrid-calendar.test/app",
        }
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
