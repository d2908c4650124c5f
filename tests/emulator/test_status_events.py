"""Status events (out of office, focus time, working location) follow Google's rules."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import ANN, BOB, ROOM, Api, Receiver, timed

EVENTS = "/calendar/v3/calendars/{}/events"


def ooo(start: str = "2024-05-06T00:00:00", end: str = "2024-05-08T00:00:00", **extra: Any) -> dict[str, Any]:
    """An out-of-office body in Berlin time."""
    props = extra.pop("props", {"autoDeclineMode": "declineNone"})
    return {**timed(start, end, summary="Away"), "eventType": "outOfOffice", "outOfOfficeProperties": props, **extra}


def focus(**extra: Any) -> dict[str, Any]:
    """A focus-time body."""
    props = extra.pop("props", {"autoDeclineMode": "declineNone", "chatStatus": "doNotDisturb"})
    return {
        **timed("2024-05-06T14:00:00", "2024-05-06T16:00:00", summary="Focus"),
        "eventType": "focusTime",
        "focusTimeProperties": props,
        **extra,
    }


def office(**extra: Any) -> dict[str, Any]:
    """An all-day working-location body (office)."""
    body: dict[str, Any] = {
        "summary": "Office",
        "start": {"date": "2024-05-07"},
        "end": {"date": "2024-05-08"},
        "eventType": "workingLocation",
        "visibility": "public",
        "transparency": "transparent",
        "workingLocationProperties": {"type": "officeLocation", "officeLocation": {"buildingId": "B2", "label": "HQ"}},
    }
    body.update(extra)
    return body


def reason(response: Any) -> str:
    """The Google error reason of a 4xx answer."""
    assert response.status_code == 400, response.text
    return str(response.json()["error"]["errors"][0]["reason"])


def test_status_events_are_created_with_their_properties(api: Api) -> None:
    """Each status type is stored and returned with its type and property object."""
    away = api.insert(ooo(props={"autoDeclineMode": "declineOnlyNewConflictingInvitations", "declineMessage": "Back"}))
    assert away["eventType"] == "outOfOffice"
    assert away["outOfOfficeProperties"]["declineMessage"] == "Back"
    assert api.insert(focus())["focusTimeProperties"]["chatStatus"] == "doNotDisturb"
    where = api.insert(office())
    assert where["workingLocationProperties"] == {
        "type": "officeLocation",
        "officeLocation": {"buildingId": "B2", "label": "HQ"},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({**ooo(), "eventType": "birthday"}, "eventTypeRestriction"),
        ({**timed("2024-05-06T09:00:00", "2024-05-06T10:00:00"), "eventType": "fromGmail"}, "eventTypeRestriction"),
        (ooo(attendees=[{"email": BOB}]), "eventTypeRestriction"),
        ({**ooo(), "start": {"date": "2024-05-06"}, "end": {"date": "2024-05-08"}}, "invalid"),
        (ooo(transparency="transparent"), "invalid"),
        (ooo(props={"autoDeclineMode": "declineEverything"}), "invalid"),
        (focus(props={"chatStatus": "busy"}), "invalid"),
        (office(visibility="default"), "invalid"),
        (office(transparency="opaque"), "invalid"),
        (office(end={"date": "2024-05-09"}), "invalid"),
        (office(workingLocationProperties={}), "required"),
        (office(workingLocationProperties={"type": "moon"}), "invalid"),
        ({**timed("2024-05-06T09:00:00", "2024-05-06T10:00:00"), "focusTimeProperties": {}}, "invalid"),
    ],
)
def test_status_event_rules(api: Api, body: dict[str, Any], expected: str) -> None:
    """Bodies that break a status type's rules answer 400 with Google's reason."""
    assert reason(api.call("POST", EVENTS.format("primary"), json=body)) == expected


def test_status_events_only_on_a_users_primary_calendar(api: Api) -> None:
    """A room's calendar refuses status events, even from a writer."""
    assert api.call("POST", EVENTS.format(ROOM), json=ooo()).status_code == 403
    with api.state.lock:
        api.state.put_acl(api.state.calendars[ROOM], "writer", "user", ANN)
    assert reason(api.call("POST", EVENTS.format(ROOM), json=ooo())) == "eventTypeRestriction"


def test_event_type_is_immutable(api: Api) -> None:
    """PATCH to another type, or a PUT that drops the type, answers eventTypeRestriction."""
    away = api.insert(ooo())
    path = EVENTS.format("primary") + f"/{away['id']}"
    assert reason(api.call("PATCH", path, json={"eventType": "default"})) == "eventTypeRestriction"
    assert reason(api.call("PUT", path, json=timed("2024-05-06T00:00:00", "2024-05-07T00:00:00"))) == (
        "eventTypeRestriction"
    )
    kept = api.call("PATCH", path, json={"summary": "Vacation"})
    assert kept.status_code == 200
    assert kept.json()["eventType"] == "outOfOffice"
    plain = api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:00"))
    again = api.call("PATCH", EVENTS.format("primary") + f"/{plain['id']}", json={"eventType": "focusTime"})
    assert reason(again) == "eventTypeRestriction"


def test_out_of_office_without_properties_gets_an_empty_object(api: Api) -> None:
    """An out-of-office body without its property object is stored with an empty one."""
    body = {**ooo(), "outOfOfficeProperties": None}
    assert api.insert(body)["outOfOfficeProperties"] == {}


def test_working_location_keeps_only_the_named_sub_object(api: Api) -> None:
    """Sub-objects other than the one type names are dropped, as Google documents."""
    body = office(
        workingLocationProperties={"type": "homeOffice", "homeOffice": {}, "customLocation": {"label": "Cafe"}}
    )
    assert api.insert(body)["workingLocationProperties"] == {"type": "homeOffice", "homeOffice": {}}


def test_event_types_filter_list_and_query(api: Api) -> None:
    """eventTypes selects types; q matches a working location's label; an unknown type is a 400."""
    api.insert(ooo())
    api.insert(focus())
    api.insert(office())
    plain = api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", summary="Sync"))
    path = EVENTS.format("primary")
    both = api.call("GET", path, params=[("eventTypes", "focusTime"), ("eventTypes", "outOfOffice")]).json()
    assert sorted(e["eventType"] for e in both["items"]) == ["focusTime", "outOfOffice"]
    default = api.call("GET", path, params={"eventTypes": "default"}).json()["items"]
    assert [e["id"] for e in default] == [plain["id"]]
    found = api.call("GET", path, params={"q": "hq"}).json()["items"]
    assert [e["eventType"] for e in found] == ["workingLocation"]
    assert api.call("GET", path, params={"eventTypes": "holiday"}).status_code == 400


def test_status_events_in_free_busy(api: Api) -> None:
    """Out of office and focus time are busy; a working location is not."""
    api.insert(focus())
    api.insert(office())
    busy = api.call(
        "POST",
        "/calendar/v3/freeBusy",
        json={"timeMin": "2024-05-06T00:00:00Z", "timeMax": "2024-05-08T00:00:00Z", "items": [{"id": ANN}]},
    ).json()["calendars"][ANN]["busy"]
    assert busy == [{"start": "2024-05-06T12:00:00Z", "end": "2024-05-06T14:00:00Z"}]


def test_out_of_office_declines_covered_and_new_invitations(api: Api) -> None:
    """declineAllConflictingInvitations declines Bob's covered invitation on creation and new ones later."""
    before = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}]), subject=ANN)
    outside = api.insert(timed("2024-05-09T10:00:00", "2024-05-09T11:00:00", attendees=[{"email": BOB}]))
    api.insert(
        ooo(props={"autoDeclineMode": "declineAllConflictingInvitations", "declineMessage": "On leave"}),
        subject=BOB,
    )
    later = api.insert(timed("2024-05-07T10:00:00", "2024-05-07T11:00:00", attendees=[{"email": BOB}]))

    def bob_answer(event: dict[str, Any]) -> dict[str, Any]:
        got = api.call("GET", EVENTS.format(ANN) + f"/{event['id']}").json()
        return next(a for a in got["attendees"] if a["email"] == BOB)

    assert bob_answer(before) == {**bob_answer(before), "responseStatus": "declined", "comment": "On leave"}
    assert bob_answer(later)["responseStatus"] == "declined"
    assert bob_answer(outside)["responseStatus"] == "needsAction"


def test_only_new_invitations_are_declined_in_that_mode(api: Api) -> None:
    """declineOnlyNewConflictingInvitations leaves existing invitations alone."""
    before = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}]))
    api.insert(ooo(props={"autoDeclineMode": "declineOnlyNewConflictingInvitations"}), subject=BOB)
    later = api.insert(timed("2024-05-06T12:00:00", "2024-05-06T13:00:00", attendees=[{"email": BOB}]))
    answers = {}
    for event in (before, later):
        got = api.call("GET", EVENTS.format(ANN) + f"/{event['id']}").json()
        answers[event["id"]] = next(a["responseStatus"] for a in got["attendees"] if a["email"] == BOB)
    assert answers == {before["id"]: "needsAction", later["id"]: "declined"}


def test_watch_with_event_types_hears_only_those(api: Api, receiver: Receiver) -> None:
    """A channel opened with eventTypes=outOfOffice is told of out-of-office changes only."""
    api.state.set_push_transport(None)
    watch = api.call(
        "POST",
        EVENTS.format("primary") + "/watch",
        params={"eventTypes": "outOfOffice"},
        json={"id": "status-only", "type": "web_hook", "address": receiver.url},
    )
    assert watch.status_code == 200
    api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:00"))
    api.insert(ooo())
    assert api.state.wait_for_push_idle(5)
    states = [m["headers"]["x-goog-resource-state"] for m in receiver.messages()]
    assert states == ["sync", "exists"]


def test_event_types_filter_incremental_listings_and_cancellations(api: Api) -> None:
    """A syncToken listing with eventTypes=focusTime hears only focus changes, a deleted block with its type too."""
    path = EVENTS.format("primary")
    token = api.call("GET", path, params={"eventTypes": "focusTime"}).json()["nextSyncToken"]
    block = api.insert(focus())
    api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", summary="Sync"))
    api.insert(office())
    changes = api.call("GET", path, params={"syncToken": token, "eventTypes": "focusTime"}).json()
    assert [(i["id"], i["eventType"]) for i in changes["items"]] == [(block["id"], "focusTime")]
    assert api.call("DELETE", f"{path}/{block['id']}").status_code == 204
    gone = api.call("GET", path, params={"syncToken": changes["nextSyncToken"], "eventTypes": "focusTime"}).json()
    assert [(i["id"], i["status"], i["eventType"]) for i in gone["items"]] == [(block["id"], "cancelled", "focusTime")]
    everything = api.call("GET", path, params={"syncToken": token}).json()["items"]
    assert sorted(i["eventType"] for i in everything) == ["default", "focusTime", "workingLocation"]


def test_a_recurring_focus_block_expands_into_focus_instances_with_their_properties(api: Api) -> None:
    """events.instances and singleEvents=true give each occurrence of a daily focus block its type and properties."""
    master = api.insert({**focus(), "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]})
    path = EVENTS.format("primary")
    instances = api.call("GET", f"{path}/{master['id']}/instances").json()["items"]
    singles = api.call("GET", path, params={"singleEvents": "true", "eventTypes": "focusTime"}).json()["items"]
    for items in (instances, singles):
        assert len(items) == 3
        assert {(i["eventType"], i["focusTimeProperties"]["chatStatus"]) for i in items} == {
            ("focusTime", "doNotDisturb")
        }
