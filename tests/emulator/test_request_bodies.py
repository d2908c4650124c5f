"""Request bodies are read the way Google reads them: unknown fields dropped, types enforced, conferences created."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import ANN, Api, Receiver, timed

EVENTS = "/calendar/v3/calendars/primary/events"


def detail(response: Any) -> dict[str, Any]:
    """The single error detail of a 400 answer."""
    assert response.status_code == 400, response.text
    return dict(response.json()["error"]["errors"][0])


def test_unknown_fields_are_neither_stored_nor_echoed(api: Api) -> None:
    """Fields the Event schema lacks disappear at every depth, in the answer and in storage."""
    body = {
        **timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", summary="Plan"),
        "colour": "red",
        "attendees": [{"email": "x@example.org", "nickname": "X"}],
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5, "sound": "bell"}]},
    }
    event = api.insert(body)
    stored = api.call("GET", f"{EVENTS}/{event['id']}").json()
    for answer in (event, stored):
        assert "colour" not in answer
        assert answer["attendees"][0].keys() == {"email", "responseStatus"}
        assert answer["reminders"] == {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]}
    patched = api.call("PATCH", f"{EVENTS}/{event['id']}", json={"summary": "New", "mood": "good"}).json()
    assert "mood" not in patched and patched["summary"] == "New"


def test_integer_written_as_string_is_stored_as_a_number(api: Api) -> None:
    """reminders.overrides[].minutes "10" comes back as 10, and so does every later read."""
    event = api.insert(
        {
            **timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"),
            "reminders": {"useDefault": False, "overrides": [{"method": "email", "minutes": "10"}]},
        }
    )
    assert event["reminders"]["overrides"] == [{"method": "email", "minutes": 10}]
    assert api.call("GET", f"{EVENTS}/{event['id']}").json()["reminders"]["overrides"][0]["minutes"] == 10


@pytest.mark.parametrize(
    ("extra", "location"),
    [
        ({"summary": 123}, "resource.summary"),
        ({"guestsCanModify": "true"}, "resource.guestsCanModify"),
        ({"reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": "ten"}]}}, None),
        ({"attendees": "bob@example.com"}, "resource.attendees"),
        ({"extendedProperties": {"private": {"count": 3}}}, "resource.extendedProperties.private.count"),
        ({"visibility": "secret"}, "resource.visibility"),
        ({"status": "maybe"}, "resource.status"),
        ({"sequence": 1.5}, "resource.sequence"),
    ],
)
def test_wrong_types_and_values_are_rejected(api: Api, extra: dict[str, Any], location: str | None) -> None:
    """A value of the wrong type or outside the documented values answers 400 invalid naming the field."""
    found = detail(api.call("POST", EVENTS, json={**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), **extra}))
    assert found["reason"] == "invalid"
    assert found["location"] == (location or "resource.reminders.overrides[0].minutes")
    assert api.control.events(ANN) == []


@pytest.mark.parametrize(
    ("reminders", "reason"),
    [
        (
            {"useDefault": True, "overrides": [{"method": "popup", "minutes": 5}]},
            "cannotUseDefaultRemindersAndSpecifyOverride",
        ),
        ({"useDefault": False, "overrides": [{"method": "popup"}]}, "required"),
        ({"useDefault": False, "overrides": [{"minutes": 5}]}, "required"),
        ({"useDefault": False, "overrides": [{"method": "popup", "minutes": 40321}]}, "invalid"),
        ({"useDefault": False, "overrides": [{"method": "popup", "minutes": i} for i in range(6)]}, "invalid"),
    ],
)
def test_reminder_rules(api: Api, reminders: dict[str, Any], reason: str) -> None:
    """Reminder overrides follow Google's rules (no default with overrides, method and minutes, at most 5)."""
    body = {**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), "reminders": reminders}
    assert detail(api.call("POST", EVENTS, json=body))["reason"] == reason


def test_event_colour_must_be_in_the_palette(api: Api) -> None:
    """colorId takes one of the eleven event colours."""
    base = timed("2024-05-06T10:00:00", "2024-05-06T11:00:00")
    assert api.insert({**base, "colorId": "11"})["colorId"] == "11"
    assert detail(api.call("POST", EVENTS, json={**base, "colorId": "12"}))["reason"] == "invalid"


@pytest.mark.parametrize("params", [{"sendUpdates": "everyone"}, {"conferenceDataVersion": "2"}])
def test_enumerated_query_parameters(api: Api, params: dict[str, str]) -> None:
    """Query parameters with documented values refuse others."""
    body = timed("2024-05-06T10:00:00", "2024-05-06T11:00:00")
    assert detail(api.call("POST", EVENTS, params=params, json=body))["reason"] == "invalid"


def meet_request(request_id: str = "req-1") -> dict[str, Any]:
    """A conferenceData body asking for a new Meet conference."""
    return {"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def test_meet_create_request_pending_then_success(api: Api, receiver: Receiver) -> None:
    """The insert answers pending; the stored event then has Meet entry points and a hangoutLink."""
    api.state.set_push_transport(None)
    api.call("POST", f"{EVENTS}/watch", json={"id": "conf", "type": "web_hook", "address": receiver.url})
    body = {**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), "conferenceData": meet_request()}
    answer = api.call("POST", EVENTS, params={"conferenceDataVersion": "1"}, json=body).json()
    assert answer["conferenceData"] == {
        "createRequest": {
            "requestId": "req-1",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "pending"},
        }
    }
    assert "hangoutLink" not in answer
    stored = api.call("GET", f"{EVENTS}/{answer['id']}").json()
    conference = stored["conferenceData"]
    assert conference["createRequest"]["status"] == {"statusCode": "success"}
    video = conference["entryPoints"][0]
    assert video["entryPointType"] == "video"
    assert video["uri"] == f"https://meet.google.com/{conference['conferenceId']}" == stored["hangoutLink"]
    assert {p["entryPointType"] for p in conference["entryPoints"]} == {"video", "more", "phone"}
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    assert stored["etag"] != answer["etag"]
    assert api.state.wait_for_push_idle(5)
    assert [m["headers"]["x-goog-resource-state"] for m in receiver.messages()] == ["sync", "exists", "exists"]
    again = api.call(
        "PATCH",
        f"{EVENTS}/{answer['id']}",
        params={"conferenceDataVersion": "1"},
        json={"conferenceData": meet_request(), "summary": "x"},
    ).json()
    assert again["conferenceData"]["conferenceId"] == conference["conferenceId"]


def test_conference_data_ignored_without_version_one(api: Api) -> None:
    """With conferenceDataVersion 0 the body's conferenceData is neither created nor stored nor removed."""
    body = {**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), "conferenceData": meet_request()}
    plain = api.call("POST", EVENTS, json=body).json()
    assert "conferenceData" not in plain
    made = api.call("POST", EVENTS, params={"conferenceDataVersion": "1"}, json=body).json()
    path = f"{EVENTS}/{made['id']}"
    kept = api.call("PATCH", path, json={"conferenceData": None, "summary": "still there"}).json()
    assert kept["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    removed = api.call("PATCH", path, params={"conferenceDataVersion": "1"}, json={"conferenceData": None}).json()
    assert "conferenceData" not in removed and "hangoutLink" not in removed


def test_unsupported_conference_type_is_rejected(api: Api) -> None:
    """A create request for a solution the calendar does not allow answers 400."""
    request = {"createRequest": {"requestId": "r", "conferenceSolutionKey": {"type": "addOn"}}}
    body = {**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), "conferenceData": request}
    response = api.call("POST", EVENTS, params={"conferenceDataVersion": "1"}, json=body)
    assert detail(response)["reason"] == "invalid"


def test_copied_conference_data_is_kept(api: Api) -> None:
    """Conference details copied from another event are stored as given with version 1."""
    points = [{"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij", "label": "meet"}]
    body = {**timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), "conferenceData": {"entryPoints": points}}
    event = api.call("POST", EVENTS, params={"conferenceDataVersion": "1"}, json=body).json()
    assert event["conferenceData"] == {"entryPoints": points}
    assert event["hangoutLink"] == "https://meet.google.com/abc-defg-hij"
