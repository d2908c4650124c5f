"""Secondary calendars, the calendar list, colours, ACL changes, events.move and events.import."""

from __future__ import annotations

from typing import Any

from tests.emulator.conftest import ANN, BOB, CAROL, ROOM, Api, Receiver, timed

CAL = "/calendar/v3/calendars"
LIST = "/calendar/v3/users/me/calendarList"


def ok(response: Any) -> dict[str, Any]:
    """The JSON of a 200 answer."""
    assert response.status_code == 200, response.text
    return dict(response.json())


def reason(response: Any, status: int = 400) -> str:
    """The error reason of an answer with ``status``."""
    assert response.status_code == status, response.text
    return str(response.json()["error"]["errors"][0]["reason"])


def secondary(api: Api, summary: str = "Team", subject: str = ANN) -> dict[str, Any]:
    """Create a secondary calendar as ``subject``."""
    return ok(api.call("POST", CAL, subject, json={"summary": summary, "description": "Shared plans"}))


def test_colors_get_returns_both_palettes(api: Api) -> None:
    """colors.get lists 24 calendar and 11 event colours with background and foreground."""
    palette = ok(api.call("GET", "/calendar/v3/colors"))
    assert palette["kind"] == "calendar#colors"
    assert sorted(map(int, palette["calendar"])) == list(range(1, 25))
    assert sorted(map(int, palette["event"])) == list(range(1, 12))
    assert palette["event"]["11"] == {"background": "#dc2127", "foreground": "#1d1d1d"}


def test_secondary_calendar_lifecycle(api: Api) -> None:
    """insert makes an owned calendar on the creator's list; patch, update and delete work; then 404."""
    made = secondary(api)
    cal_id = made["id"]
    assert cal_id.endswith("@group.calendar.google.com")
    assert (made["summary"], made["timeZone"], made["dataOwner"]) == ("Team", "Europe/Berlin", ANN)
    assert ok(api.call("GET", f"{LIST}/{cal_id}"))["accessRole"] == "owner"
    assert ok(api.call("PATCH", f"{CAL}/{cal_id}", json={"location": "Berlin"}))["location"] == "Berlin"
    updated = ok(api.call("PUT", f"{CAL}/{cal_id}", json={"summary": "Crew", "timeZone": "America/New_York"}))
    assert (updated["summary"], updated["timeZone"]) == ("Crew", "America/New_York")
    assert "location" not in updated
    assert reason(api.call("PUT", f"{CAL}/{cal_id}", json={"timeZone": "UTC"})) == "required"
    assert reason(api.call("PATCH", f"{CAL}/{cal_id}", json={"timeZone": "Mars/Base"})) == "invalid"
    assert api.call("GET", f"{CAL}/{cal_id}", BOB).status_code == 404
    assert api.call("DELETE", f"{CAL}/{cal_id}").status_code == 204
    assert api.call("GET", f"{CAL}/{cal_id}").status_code == 404
    assert api.call("GET", f"{LIST}/{cal_id}").status_code == 404
    assert reason(api.call("POST", CAL, json={"description": "no title"})) == "required"


def test_primary_calendar_cannot_be_deleted_and_secondary_cannot_be_cleared(api: Api) -> None:
    """Deleting a primary calendar is 403 cannotDeletePrimaryCalendar; clearing a secondary is 400."""
    assert reason(api.call("DELETE", f"{CAL}/primary"), 403) == "cannotDeletePrimaryCalendar"
    made = secondary(api)
    assert api.call("POST", f"{CAL}/{made['id']}/clear").status_code == 400


def test_events_on_a_secondary_calendar_are_organised_by_it(api: Api) -> None:
    """An event on a secondary calendar has the calendar as organiser; guests get copies; deleting the
    calendar cancels them."""
    cal_id = secondary(api)["id"]
    event = ok(
        api.call(
            "POST",
            f"{CAL}/{cal_id}/events",
            json=timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}]),
        )
    )
    assert event["organizer"] == {"email": cal_id, "displayName": "Team", "self": True}
    assert event["creator"] == {"email": ANN}
    assert ok(api.call("GET", f"{CAL}/primary/events/{event['id']}", BOB))["status"] == "confirmed"
    api.call("DELETE", f"{CAL}/{cal_id}")
    assert ok(api.call("GET", f"{CAL}/primary/events/{event['id']}", BOB))["status"] == "cancelled"


def test_clear_primary_calendar(api: Api) -> None:
    """clear cancels what the calendar organised and declines its invitations."""
    own = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}]))
    invited = api.insert(timed("2024-05-07T10:00:00", "2024-05-07T11:00:00", attendees=[{"email": ANN}]), subject=BOB)
    assert api.call("POST", f"{CAL}/primary/clear").status_code == 204
    assert ok(api.call("GET", f"{CAL}/primary/events", params={"showDeleted": "false"}))["items"] == []
    assert ok(api.call("GET", f"{CAL}/primary/events/{own['id']}", BOB))["status"] == "cancelled"
    theirs = ok(api.call("GET", f"{CAL}/primary/events/{invited['id']}", BOB))
    assert next(a for a in theirs["attendees"] if a["email"] == ANN)["responseStatus"] == "declined"


def test_calendar_list_insert_patch_update_delete(api: Api) -> None:
    """A readable calendar can be listed, styled, hidden and removed; the primary one stays."""
    assert api.call("GET", f"{LIST}/{ROOM}").status_code == 404
    entry = ok(api.call("POST", LIST, json={"id": ROOM, "colorId": "7", "summaryOverride": "Big room"}))
    assert (entry["colorId"], entry["backgroundColor"], entry["summaryOverride"]) == ("7", "#42d692", "Big room")
    assert entry["accessRole"] == "reader"
    rgb = ok(
        api.call(
            "PATCH",
            f"{LIST}/{ROOM}",
            params={"colorRgbFormat": "true"},
            json={"backgroundColor": "#4a86e8", "foregroundColor": "#ffffff"},
        )
    )
    assert (rgb["colorId"], rgb["backgroundColor"]) == ("16", "#4a86e8")
    hidden = ok(api.call("PUT", f"{LIST}/{ROOM}", json={"colorId": "3", "hidden": True}))
    assert hidden["hidden"] is True and "summaryOverride" not in hidden
    listed = [e["id"] for e in ok(api.call("GET", LIST))["items"]]
    assert listed == [ANN]
    shown = [e["id"] for e in ok(api.call("GET", LIST, params={"showHidden": "true"}))["items"]]
    assert sorted(shown) == sorted([ANN, ROOM])
    owners = [
        e["id"] for e in ok(api.call("GET", LIST, params={"showHidden": "true", "minAccessRole": "owner"}))["items"]
    ]
    assert owners == [ANN]
    assert reason(api.call("PATCH", f"{LIST}/{ROOM}", json={"colorId": "25"})) == "invalid"
    assert api.call("DELETE", f"{LIST}/{ROOM}").status_code == 204
    assert api.call("GET", f"{LIST}/{ROOM}").status_code == 404
    assert reason(api.call("DELETE", f"{LIST}/primary")) == "invalid"
    assert api.call("POST", LIST, json={"id": "olga@other.org"}).status_code == 404


def test_acl_update_and_patch_change_the_role_only(api: Api) -> None:
    """acl.update/patch change a rule's role, list the calendar for the grantee, refuse a new scope."""
    rule = ok(
        api.call(
            "POST", f"{CAL}/primary/acl", json={"role": "freeBusyReader", "scope": {"type": "user", "value": CAROL}}
        )
    )
    path = f"{CAL}/primary/acl/{rule['id']}"
    assert ok(api.call("PATCH", path, json={"role": "reader"}))["role"] == "reader"
    assert ok(api.call("GET", f"{LIST}/{ANN}", CAROL))["accessRole"] == "reader"
    assert (
        ok(api.call("PUT", path, json={"role": "writer", "scope": {"type": "user", "value": CAROL}}))["role"]
        == "writer"
    )
    assert reason(api.call("PATCH", path, json={"scope": {"type": "user", "value": BOB}})) == "invalid"
    assert reason(api.call("PUT", path, json={})) == "required"
    assert (
        reason(api.call("PATCH", f"{CAL}/primary/acl/user:{ANN}", json={"role": "reader"}), 403) == "cannotChangeOwnAcl"
    )
    assert api.call("PATCH", f"{CAL}/primary/acl/user:nobody@example.com", json={"role": "reader"}).status_code == 404


def test_move_changes_the_organiser_calendar(api: Api) -> None:
    """events.move keeps id and guests, makes the destination the organiser, cancels the source copy."""
    cal_id = secondary(api)["id"]
    event = api.insert(
        timed(
            "2024-05-06T10:00:00",
            "2024-05-06T11:00:00",
            attendees=[{"email": BOB}],
            extendedProperties={"private": {"k": "v"}},
        )
    )
    moved = ok(api.call("POST", f"{CAL}/primary/events/{event['id']}/move", params={"destination": cal_id}))
    assert moved["id"] == event["id"] and moved["iCalUID"] == event["iCalUID"]
    assert moved["organizer"]["email"] == cal_id
    assert moved["extendedProperties"] == {"private": {"k": "v"}}
    assert ok(api.call("GET", f"{CAL}/primary/events/{event['id']}"))["status"] == "cancelled"
    assert ok(api.call("GET", f"{CAL}/primary/events/{event['id']}", BOB))["organizer"]["email"] == cal_id
    assert reason(api.call("POST", f"{CAL}/{cal_id}/events/{event['id']}/move")) == "required"


def test_move_refusals(api: Api) -> None:
    """Instances, status events and guests' copies cannot be moved."""
    cal_id = secondary(api)["id"]
    series = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"]))
    instance = f"{series['id']}_20240507T080000Z"
    move = f"{CAL}/primary/events/{{}}/move"
    assert reason(api.call("POST", move.format(instance), params={"destination": cal_id})) == "invalid"
    away = api.insert(
        {
            **timed("2024-05-08T10:00:00", "2024-05-08T11:00:00"),
            "eventType": "outOfOffice",
            "outOfOfficeProperties": {},
        }
    )
    assert reason(api.call("POST", move.format(away["id"]), params={"destination": cal_id})) == "eventTypeRestriction"
    theirs = api.insert(timed("2024-05-09T10:00:00", "2024-05-09T11:00:00", attendees=[{"email": ANN}]), subject=BOB)
    assert (
        reason(api.call("POST", move.format(theirs["id"]), params={"destination": cal_id}), 403)
        == "forbiddenForNonOrganizer"
    )
    moved_series = ok(api.call("POST", move.format(series["id"]), params={"destination": cal_id}))
    assert moved_series["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=3"]
    instances = ok(api.call("GET", f"{CAL}/{cal_id}/events/{series['id']}/instances"))["items"]
    assert len(instances) == 3


def test_import_adds_a_private_copy_and_updates_it_by_ical_uid(api: Api) -> None:
    """events.import keeps the foreign organiser and guests, makes no guest copies, updates by iCalUID."""
    body = {
        **timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", summary="Vendor call"),
        "iCalUID": "vendor-123@vendor.example",
        "organizer": {"email": "sales@vendor.example", "displayName": "Sales"},
        "attendees": [{"email": ANN}, {"email": BOB}],
    }
    first = ok(api.call("POST", f"{CAL}/primary/events/import", json=body))
    assert first["organizer"] == {"email": "sales@vendor.example", "displayName": "Sales"}
    assert first["iCalUID"] == "vendor-123@vendor.example"
    assert api.call("GET", f"{CAL}/primary/events/{first['id']}", BOB).status_code == 404
    again = ok(api.call("POST", f"{CAL}/primary/events/import", json={**body, "summary": "Vendor call (moved)"}))
    assert again["id"] == first["id"] and again["summary"] == "Vendor call (moved)"
    assert (
        reason(
            api.call("POST", f"{CAL}/primary/events/import", json=timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
        )
        == "required"
    )
    status = ok(
        api.call(
            "POST",
            f"{CAL}/primary/events/import",
            json={**body, "iCalUID": "ooo@x", "eventType": "outOfOffice", "outOfOfficeProperties": {}, "attendees": []},
        )
    )
    assert status["eventType"] == "default" and "outOfOfficeProperties" not in status


def test_acl_calendar_list_and_settings_watches_hear_their_changes(api: Api, receiver: Receiver) -> None:
    """acl.watch, calendarList.watch and settings.watch get sync, then exists for each change."""
    api.state.set_push_transport(None)
    hook = {"type": "web_hook", "address": receiver.url}
    ok(api.call("POST", f"{CAL}/primary/acl/watch", json={**hook, "id": "acl", "token": "a"}))
    ok(api.call("POST", f"{LIST}/watch", json={**hook, "id": "list", "token": "l"}))
    ok(api.call("POST", "/calendar/v3/users/me/settings/watch", json={**hook, "id": "settings", "token": "s"}))
    ok(api.call("POST", f"{CAL}/primary/acl", json={"role": "reader", "scope": {"type": "user", "value": CAROL}}))
    ok(api.call("POST", LIST, json={"id": ROOM}))
    api.control.update_user(ANN, timeZone="Europe/Paris")
    api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
    assert api.state.wait_for_push_idle(5)
    heard = [(m["headers"]["x-goog-channel-token"], m["headers"]["x-goog-resource-state"]) for m in receiver.messages()]
    assert sorted(heard) == sorted(
        [("a", "sync"), ("l", "sync"), ("s", "sync"), ("a", "exists"), ("l", "exists"), ("s", "exists")]
    )
