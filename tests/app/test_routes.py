"""The app API's routes against the emulator: lists, scheduling, RSVP, delete, availability, delegates, presence."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from tests.app.conftest import ALICE, BOB, CAROL, MEET, ROOM, T0, ZED, AppWorld
from tests.support.instant import z

NEW_YORK = ZoneInfo("America/New_York")
TODAY = T0.astimezone(NEW_YORK).date()
"""T0's day for Bob, who lives in New York."""


def test_my_meetings_default_to_today_in_my_zone_with_join_state(aw: AppWorld) -> None:
    """Bob (New York) sees today's meeting with its Meet target; the button shows from five minutes before."""
    aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    aw.meeting(ALICE, T0 + timedelta(days=3), guests=(BOB,), summary="Later")
    body = aw.get("/v1/me/meetings", aw.user(BOB)).get_json()
    midnight = datetime.combine(TODAY, time(0), tzinfo=NEW_YORK)
    assert body["time_zone"] == "America/New_York" and body["from"] == z(midnight)
    assert body["now"] == z(T0)
    [meeting] = body["meetings"]
    assert meeting["join_target"] == {"kind": "google_meet", "uri": MEET, "label": meeting["join_target"]["label"]}
    assert meeting["join_button"] == {"eligible": True, "at": z(T0 - timedelta(minutes=1))}
    week = aw.get(f"/v1/me/meetings?from={TODAY}&to={TODAY + timedelta(days=7)}", aw.user(BOB)).get_json()
    assert [m["title"] for m in week["meetings"]] == ["Standup", "Later"]
    assert week["meetings"][1]["join_button"]["eligible"] is False


def test_days_sets_the_length_of_the_default_range(aw: AppWorld) -> None:
    """`days=7` answers a week from today in my zone, by the service's clock; `to` wins over `days`."""
    aw.meeting(ALICE, T0 + timedelta(minutes=30), guests=(BOB,))
    aw.meeting(ALICE, T0 + timedelta(days=6), guests=(BOB,), summary="Within the week")
    aw.meeting(ALICE, T0 + timedelta(days=8), guests=(BOB,), summary="Next week")
    week = aw.get("/v1/me/meetings?days=7", aw.user(BOB)).get_json()
    week_end = datetime.combine(TODAY + timedelta(days=7), time(0), tzinfo=NEW_YORK)
    assert (week["from"], week["to"]) == (z(datetime.combine(TODAY, time(0), tzinfo=NEW_YORK)), z(week_end))
    assert [m["title"] for m in week["meetings"]] == ["Standup", "Within the week"]
    one = aw.get(f"/v1/me/meetings?days=7&to={z(T0 + timedelta(hours=1))}", aw.user(BOB)).get_json()
    assert [m["title"] for m in one["meetings"]] == ["Standup"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", "after"),
        ("from=2026-11-01T00:00:00Z&to=2027-01-05T00:00:00Z", "62 days"),
        ("from=yesterday", "RFC 3339"),
        ("from=2026-11-24T10:00:00", "offset"),
        ("to=" + "9" * 80, "too long"),
        ("days=0", "days"),
        ("days=63", "days"),
        ("days=seven", "days"),
    ],
)
def test_bad_ranges_are_400(aw: AppWorld, query: str, message: str) -> None:
    """Ranges ending before they start, over 62 days, or unreadable answer 400 with a JSON error."""
    response = aw.get(f"/v1/me/meetings?{query}", aw.user(BOB))
    assert response.status_code == 400 and message in response.get_json()["error"]["message"]


def test_bad_bodies_and_unknown_ids_are_4xx(aw: AppWorld) -> None:
    """Malformed JSON, unknown fields, oversized bodies and unknown ids answer 4xx JSON, never 5xx."""
    bob = aw.user(BOB)
    cases = [
        aw.client.post("/v1/me/meetings", data="{nope", headers={**bob, "Content-Type": "application/json"}),
        aw.post("/v1/me/meetings", {"title": "x", "start": "2026-11-24T10:00:00Z", "end": "2026-11-24T09:00:00Z"}, bob),
        aw.post("/v1/me/meetings", {"text": "Lunch", "start": "2026-11-24T10:00:00Z"}, bob),
        aw.post("/v1/me/meetings", {"title": "x", "surprise": 1}, bob),
        aw.post("/v1/me/meetings", {"title": "x" * 300_000}, bob),
        aw.post("/v1/me/meetings/nope/rsvp", {"response": "maybe"}, bob),
        aw.post("/v1/availability", {"emails": [], "from": "2026-11-24T00:00:00Z", "to": "2026-11-25T00:00:00Z"}, bob),
    ]
    assert [c.status_code for c in cases] == [400] * 7
    assert all(c.get_json()["error"]["code"] == "invalid_input" for c in cases)
    for path in ("/v1/me/meetings/unknown", "/v1/me/meetings/unknown/rsvp", "/v1/people/nobody@example.com/presence"):
        method = "POST" if path.endswith("rsvp") else "GET"
        response = aw.client.open(path, method=method, headers=bob, json={"response": "accepted"})
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert aw.client.delete("/v1/me/meetings/unknown", headers=bob).status_code == 404
    assert aw.client.put("/v1/me/meetings", headers=bob).status_code == 405
    assert aw.world.count("calendar.events.insert") == 0


def test_schedule_with_keyword_and_quick_add(aw: AppWorld) -> None:
    """events.insert carries attendees and the keyword in the location; text goes through events.quickAdd."""
    bob = aw.user(BOB)
    body = {
        "title": "Planning",
        "start": z(T0 + timedelta(hours=6)),
        "end": z(T0 + timedelta(hours=6, minutes=30)),
        "attendees": [ALICE, ROOM],
        "location": "Floor 3",
        "keyword": "@webex",
    }
    created = aw.post("/v1/me/meetings", body, bob)
    assert created.status_code == 201
    meeting = created.get_json()
    assert meeting["location"] == "Floor 3 @webex" and {a["email"] for a in meeting["attendees"]} >= {ALICE, ROOM}
    assert aw.get(f"/v1/me/meetings/{meeting['id']}", bob).status_code == 200
    quick = aw.post("/v1/me/meetings", {"text": "Lunch with Alice tomorrow 12:00"}, bob)
    assert quick.status_code == 201 and quick.get_json()["title"].startswith("Lunch")
    assert aw.world.count("calendar.events.insert", BOB) == 1
    assert aw.world.count("calendar.events.quickAdd", BOB) == 1
    unknown = aw.post("/v1/me/meetings", {**body, "keyword": "@zoomish"}, bob)
    assert unknown.status_code == 400


def test_rsvp_patches_my_entry_and_shows_at_once(aw: AppWorld) -> None:
    """Accepting PATCHes only my attendee entry with If-Match; the answer and my next read show it."""
    event = aw.meeting(ALICE, T0 + timedelta(hours=2), guests=(BOB, ROOM))
    bob = aw.user(BOB)
    answered = aw.post(f"/v1/me/meetings/{event['id']}/rsvp", {"response": "declined"}, bob)
    assert answered.status_code == 200 and answered.get_json()["my_response"] == "declined"
    assert aw.get(f"/v1/me/meetings/{event['id']}", bob).get_json()["my_response"] == "declined"
    [copy] = [e for e in aw.world.control.events(ALICE) if e["id"] == event["id"]]
    statuses = {a["email"]: a["responseStatus"] for a in copy["attendees"]}
    assert statuses[BOB] == "declined" and statuses[ROOM] == "accepted"
    assert aw.world.count("calendar.events.patch", BOB) == 1


def test_delete_removes_the_meeting(aw: AppWorld) -> None:
    """Deleting my meeting calls events.delete once and it is gone from my list."""
    event = aw.meeting(BOB, T0 + timedelta(hours=2), guests=(ALICE,))
    bob = aw.user(BOB)
    assert aw.client.delete(f"/v1/me/meetings/{event['id']}", headers=bob).status_code == 204
    assert aw.get(f"/v1/me/meetings/{event['id']}", bob).status_code == 404
    assert aw.world.count("calendar.events.delete", BOB) == 1


def test_availability_for_people_of_my_org(aw: AppWorld) -> None:
    """freeBusy answers Alice's busy time; someone outside the org is refused without a Google call."""
    aw.meeting(ALICE, T0 + timedelta(hours=1))
    bob = aw.user(BOB)
    window = {"from": z(T0 - timedelta(hours=9)), "to": z(T0 + timedelta(hours=15))}
    answer = aw.post("/v1/availability", {"emails": [ALICE, CAROL], **window}, bob)
    assert answer.status_code == 200
    calendars = answer.get_json()["calendars"]
    busy = {"start": z(T0 + timedelta(hours=1)), "end": z(T0 + timedelta(hours=1, minutes=30))}
    assert calendars[ALICE]["busy"] == [busy]
    assert aw.post("/v1/availability", {"emails": [ZED], **window}, bob).status_code == 403
    assert aw.world.count("calendar.freebusy.query") == 1


def test_delegates_are_acl_rules(aw: AppWorld) -> None:
    """Adding a delegate inserts `user:<email>` on my calendar; removing deletes it; outsiders are refused."""
    bob = aw.user(BOB)
    added = aw.post("/v1/me/delegates", {"email": ALICE, "role": "writer"}, bob)
    assert added.status_code == 201 and added.get_json() == {
        "email": ALICE,
        "role": "writer",
        "rule_id": f"user:{ALICE}",
    }
    assert aw.client.delete(f"/v1/me/delegates/{ALICE}", headers=bob).status_code == 204
    assert aw.client.delete(f"/v1/me/delegates/{ALICE}", headers=bob).status_code == 404
    assert aw.post("/v1/me/delegates", {"email": ZED}, bob).status_code == 403
    assert aw.post("/v1/me/delegates", {"email": BOB}, bob).status_code == 400
    assert aw.world.count("calendar.acl.insert") == 1


def test_presence_of_me_and_of_colleagues(aw: AppWorld) -> None:
    """Presence reads come from the store; people outside my org or not activated are 404."""
    org = aw.world.org.id
    alice = aw.app.stores.principals.principal_id(org, ALICE)
    aw.app.stores.presence.put_presence(
        Presence(org, alice, PresenceStatus.OUT_OF_OFFICE, "Skiing", T0, None, PresenceSource.GMAIL_VACATION)
    )
    assert aw.get("/v1/me/presence", aw.user(ALICE)).get_json()["status"] == "out_of_office"
    seen = aw.get(f"/v1/people/{ALICE}/presence", aw.user(BOB)).get_json()
    assert seen["message"] == "Skiing" and seen["source"] == "gmail_vacation"
    assert aw.get(f"/v1/people/{BOB}/presence", aw.user(ALICE)).get_json()["status"] == "available"
    assert aw.get(f"/v1/people/{CAROL}/presence", aw.user(BOB)).status_code == 404


def test_openapi_document_is_3_1_and_lists_every_route(aw: AppWorld) -> None:
    """/v1/openapi.json is OpenAPI 3.1 with JSON Schema 2020-12 and every /v1 path of the issue."""
    doc = aw.get("/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {
        "/v1/me/meetings",
        "/v1/me/meetings/{event_id}",
        "/v1/me/meetings/{event_id}/rsvp",
        "/v1/availability",
        "/v1/me/delegates",
        "/v1/me/delegates/{email}",
        "/v1/me/presence",
        "/v1/people/{email}/presence",
        "/v1/devices/{device_id}/meetings",
        "/v1/me/stream",
        "/v1/devices/{device_id}/stream",
        "/v1/devices/{device_id}/check-in",
        "/v1/devices/{device_id}/check-ins",
        "/v1/devices/{device_id}/presence",
        "/v1/me",
        "/v1/people",
        "/v1/conferences",
    }
    assert doc["paths"]["/v1/me/stream"]["get"]["responses"]["200"]["content"].keys() == {"text/event-stream"}


def test_web_page_and_device_display_are_served(aw: AppWorld) -> None:
    """/app, /device and their scripts are served; dev sign-in is offered against the emulator only."""
    assert "Hybrid Calendar" in aw.get("/app").get_data(as_text=True)
    assert aw.get("/app/app.js").mimetype == "text/javascript"
    assert aw.get("/device/device.js").status_code == 200
    assert aw.get("/app/secret.py").status_code == 404
    assert aw.get("/app/config").get_json()["dev_sign_in"] is True
    users = {u["email"] for u in aw.get("/app/dev/users").get_json()["users"]}
    assert {ALICE, BOB, ZED} <= users
    assert aw.post("/app/dev/sign-in", {"email": "ghost@example.com"}).status_code == 404
    device_id, headers = aw.device(ROOM)
    assert aw.get("/device/session", headers).get_json()["device_id"] == device_id
