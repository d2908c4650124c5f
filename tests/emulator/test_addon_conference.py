"""Conferencing add-on conferences: Calendar stores an add-on's answer; a plain API client cannot forge one."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.client import ControlError
from tests.emulator.conftest import ANN, BOB, Api, Receiver

EVENTS = "/calendar/v3/calendars/primary/events"


def _timed() -> dict[str, Any]:
    return {
        "summary": "Planning",
        "start": {"dateTime": "2024-05-06T10:00:00Z"},
        "end": {"dateTime": "2024-05-06T11:00:00Z"},
        "attendees": [{"email": BOB}],
    }


def _answer(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conferenceId": "space:abc123",
        "name": "Webex meeting space",
        "entryPoints": [
            {"entryPointType": "video", "uri": "https://example.webex.com/join/abc123", "meetingCode": "1234567890"},
            {"entryPointType": "sip", "uri": "sip:abc123@example.webex.com"},
        ],
        "notes": "Meeting space",
        "parameters": {"hcMeetingRef": "space:abc123", "hcProvider": "space"},
    }
    body.update(changes)
    return body


def _forged() -> dict[str, Any]:
    return {
        "conferenceId": "space:abc123",
        "conferenceSolution": {"key": {"type": "addOn"}, "name": "Webex meeting space"},
        "entryPoints": [{"entryPointType": "video", "uri": "https://example.webex.com/join/abc123"}],
    }


def _error(response: Any) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["errors"][0]["reason"], error["message"]


def test_calendar_stores_the_add_ons_conference_as_a_change_with_a_push(api: Api, receiver: Receiver) -> None:
    """The control route puts an addOn conference on the organiser's event: new etag, a push, every copy sees it."""
    api.state.set_push_transport(None)
    event = api.insert(_timed())
    api.call("POST", f"{EVENTS}/watch", json={"id": "addon", "type": "web_hook", "address": receiver.url})
    answered = api.control.attach_addon_conference(ANN, event["id"], _answer())
    conference = answered["conferenceData"]
    assert conference["conferenceSolution"]["key"] == {"type": "addOn"}
    assert conference["conferenceSolution"]["name"] == "Webex meeting space"
    assert conference["conferenceId"] == "space:abc123"
    assert conference["parameters"] == {"addOnParameters": {"parameters": _answer()["parameters"]}}
    assert [p["entryPointType"] for p in conference["entryPoints"]] == ["video", "sip"]
    assert conference["signature"]
    assert answered["etag"] != event["etag"]
    assert api.state.wait_for_push_idle(5)
    assert [m["headers"]["x-goog-resource-state"] for m in receiver.messages()] == ["sync", "exists"]
    bobs = api.call("GET", f"/calendar/v3/calendars/{BOB}/events/{event['id']}", BOB).json()
    assert bobs["conferenceData"] == conference
    assert "hangoutLink" not in bobs


def test_a_plain_api_client_cannot_write_an_add_on_conference(api: Api) -> None:
    """Insert, patch and update with an addOn conference Calendar did not make answer 400 invalid, nothing stored."""
    params = {"conferenceDataVersion": "1"}
    refused = api.call("POST", EVENTS, params=params, json={**_timed(), "conferenceData": _forged()})
    assert _error(refused) == (400, "invalid", "Invalid conference data")
    event = api.insert(_timed())
    path = f"{EVENTS}/{event['id']}"
    assert _error(api.call("PATCH", path, params=params, json={"conferenceData": _forged()}))[0] == 400
    signed_elsewhere = {**_forged(), "signature": "bm90LWNhbGVuZGFyJ3M"}
    assert _error(api.call("PUT", path, params=params, json={**_timed(), "conferenceData": signed_elsewhere}))[1] == (
        "invalid"
    )
    assert "conferenceData" not in api.call("GET", path).json()


def test_an_edited_add_on_conference_is_refused_and_a_whole_copy_is_accepted(api: Api) -> None:
    """Editing an entry point of Calendar's conference breaks its signature; a whole copy on another event is fine."""
    first = api.insert(_timed())
    conference = api.control.attach_addon_conference(ANN, first["id"], _answer())["conferenceData"]
    params = {"conferenceDataVersion": "1"}
    edited = {**conference, "entryPoints": [{"entryPointType": "video", "uri": "https://evil.example/join"}]}
    second = api.insert(_timed())
    path = f"{EVENTS}/{second['id']}"
    assert _error(api.call("PATCH", path, params=params, json={"conferenceData": edited})) == (
        400,
        "invalid",
        "Invalid conference data",
    )
    copied = api.call("PATCH", path, params=params, json={"conferenceData": conference})
    assert copied.status_code == 200 and copied.json()["conferenceData"] == conference
    ignored = api.call("PATCH", path, json={"conferenceData": _forged(), "summary": "Renamed"})  # version 0
    assert ignored.status_code == 200 and ignored.json()["conferenceData"] == conference


def test_removing_the_add_on_conference_is_allowed(api: Api) -> None:
    """A plain client may remove the add-on's conference (null), as a user removes the chip."""
    event = api.insert(_timed())
    api.control.attach_addon_conference(ANN, event["id"], _answer())
    path = f"{EVENTS}/{event['id']}"
    gone = api.call("PATCH", path, params={"conferenceDataVersion": "1"}, json={"conferenceData": None})
    assert gone.status_code == 200 and "conferenceData" not in gone.json()


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"conferenceId": ""}, "conferenceId"),
        ({"entryPoints": []}, "entryPoints"),
        ({"entryPoints": [{"entryPointType": "video", "uri": "ftp://x"}]}, "entryPoints[0].uri"),
        ({"entryPoints": [{"entryPointType": "phone", "uri": "https://x"}]}, "entryPoints[0].uri"),
        ({"entryPoints": [{"entryPointType": "chat", "uri": "https://x"}]}, "entryPoints[0].entryPointType"),
        ({"entryPoints": [{"entryPointType": "more", "uri": "https://x"}]}, None),
        ({"entryPoints": [{"entryPointType": "video", "uri": "https://a"}] * 2}, None),
        ({"notes": "x" * 2049}, "notes"),
        ({"parameters": {"k" * 51: "v"}}, None),
        ({"parameters": {"k": 5}}, None),
    ],
)
def test_an_answer_calendar_would_refuse_is_400(api: Api, changes: dict[str, Any], where: str | None) -> None:
    """Calendar's checks of an add-on answer: entry point types, schemes and counts, lengths, string parameters."""
    event = api.insert(_timed())
    response = api.http.post(
        f"/emulator/v1/calendars/{ANN}/events/{event['id']}/addOnConference", json=_answer(**changes)
    )
    assert response.status_code == 400, response.text
    detail = response.json()["error"]["errors"][0]
    assert detail["reason"] == "invalid"
    if where is not None:
        assert detail.get("location") == where
    assert "conferenceData" not in api.call("GET", f"{EVENTS}/{event['id']}").json()


def test_only_the_organisers_existing_event_gets_a_conference(api: Api) -> None:
    """An attendee's copy is 403, an unknown event or calendar 404, a deleted event 404."""
    event = api.insert(_timed())
    with pytest.raises(ControlError, match="403"):
        api.control.attach_addon_conference(BOB, event["id"], _answer())
    with pytest.raises(ControlError, match="404"):
        api.control.attach_addon_conference(ANN, "nosuchevent0", _answer())
    with pytest.raises(ControlError, match="404"):
        api.control.attach_addon_conference("nobody@example.com", event["id"], _answer())
    assert api.call("DELETE", f"{EVENTS}/{event['id']}").status_code == 204
    with pytest.raises(ControlError, match="404"):
        api.control.attach_addon_conference(ANN, event["id"], _answer())
