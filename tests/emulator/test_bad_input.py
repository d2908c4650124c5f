"""Bad input gets Google's 4xx body with the right reason, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint

from emulator import testing
from emulator.app import create_app
from emulator.state import EmulatorState
from tests.emulator.conftest import Api, timed

EVENTS = "/calendar/v3/calendars/primary/events"


def error(response: Any) -> dict[str, Any]:
    """Return the single Google error detail of a response, checking the envelope."""
    body = response.json()["error"]
    assert body["code"] == response.status_code
    assert set(body) >= {"code", "message", "errors", "status"}
    detail: dict[str, Any] = body["errors"][0]
    assert set(detail) >= {"domain", "reason", "message"}
    return detail


def test_malformed_json_is_parse_error(api: Api) -> None:
    """A body that is not JSON answers 400 parseError."""
    response = api.call("POST", EVENTS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert error(response)["reason"] == "parseError"
    array = api.call("POST", EVENTS, json=[1, 2])
    assert error(array)["reason"] == "parseError"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"summary": "no times"}, "required"),
        ({"start": {"dateTime": "2024-05-01T10:00:00Z"}}, "required"),
        (timed("2024-05-01T25:00:00", "2024-05-01T26:00:00"), "invalid"),
        ({"start": {"dateTime": "2024-05-01T10:00:00"}, "end": {"dateTime": "2024-05-01T11:00:00"}}, "required"),
        (
            {
                "start": {"dateTime": "2024-05-01T10:00:00", "timeZone": "Mars/Base"},
                "end": {"dateTime": "2024-05-01T11:00:00", "timeZone": "Mars/Base"},
            },
            "invalid",
        ),
        (timed("2024-05-01T11:00:00", "2024-05-01T10:00:00"), "timeRangeEmpty"),
        ({"start": {"date": "2024-05-01"}, "end": {"dateTime": "2024-05-01T11:00:00Z"}}, "invalid"),
        ({"start": {"date": "2024-13-01"}, "end": {"date": "2024-13-02"}}, "invalid"),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "recurrence": ["RRULE:FREQ=NEVER"]}, "invalid"),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "recurrence": "RRULE:FREQ=DAILY"}, "invalid"),
        (
            {
                "start": {"dateTime": "2024-05-01T10:00:00Z"},
                "end": {"dateTime": "2024-05-01T11:00:00Z"},
                "recurrence": ["RRULE:FREQ=DAILY"],
            },
            "required",
        ),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "attendees": [{"name": "x"}]}, "required"),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "attendees": [{"email": "nope"}]}, "invalid"),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "id": "UPPER_case!"}, "invalid"),
        ({**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "transparency": "glass"}, "invalid"),
    ],
)
def test_invalid_event_bodies(api: Api, body: dict[str, Any], reason: str) -> None:
    """Each invalid event body answers 400 with Google's reason."""
    response = api.call("POST", EVENTS, json=body)
    assert response.status_code == 400, response.text
    assert error(response)["reason"] == reason


def test_duplicate_id_is_409(api: Api) -> None:
    """Inserting a client-chosen id twice answers 409 duplicate."""
    body = {**timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"), "id": "abcdef12345"}
    assert api.call("POST", EVENTS, json=body).status_code == 200
    again = api.call("POST", EVENTS, json=body)
    assert again.status_code == 409
    assert error(again)["reason"] == "duplicate"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"timeMin": "yesterday"}, 400),
        ({"timeMax": "2024-05-01"}, 400),
        ({"maxResults": "many"}, 400),
        ({"maxResults": "0"}, 400),
        ({"singleEvents": "perhaps"}, 400),
        ({"orderBy": "color"}, 400),
        ({"pageToken": "garbage"}, 400),
        ({"privateExtendedProperty": "novalue"}, 400),
    ],
)
def test_bad_list_parameters(api: Api, params: dict[str, str], status: int) -> None:
    """Bad query parameters answer 400 in Google's format."""
    response = api.call("GET", EVENTS, params=params)
    assert response.status_code == status
    error(response)


def test_unknown_things_are_404(api: Api) -> None:
    """Unknown calendars, events, routes and instance ids answer 404 notFound."""
    for path in (
        "/calendar/v3/calendars/ghost@example.com/events",
        f"{EVENTS}/nosuchevent1",
        f"{EVENTS}/nosuchevent1/instances",
        "/calendar/v3/no/such/route",
    ):
        response = api.call("GET", path)
        assert response.status_code == 404, path
        assert error(response)["reason"] == "notFound"
    patch = api.call("PATCH", f"{EVENTS}/nosuchevent1", json={"summary": "x"})
    assert patch.status_code == 404
    method = api.call("DELETE", "/calendar/v3/users/me/settings/locale")
    assert method.status_code == 405
    error(method)


def test_bad_other_bodies(api: Api) -> None:
    """acl, freeBusy, quickAdd, vacation and control-plane bodies are validated."""
    acl = "/calendar/v3/calendars/primary/acl"
    assert error(api.call("POST", acl, json={"scope": {"type": "user"}}))["reason"] == "required"
    assert api.call("POST", acl, json={"role": "boss", "scope": {"type": "user", "value": "a@b"}}).status_code == 400
    free = api.call("POST", "/calendar/v3/freeBusy", json={"timeMin": "2024-05-01T00:00:00Z"})
    assert error(free)["reason"] == "required"
    empty = api.call(
        "POST", "/calendar/v3/freeBusy", json={"timeMin": "2024-05-02T00:00:00Z", "timeMax": "2024-05-01T00:00:00Z"}
    )
    assert error(empty)["reason"] == "timeRangeEmpty"
    assert api.call("POST", f"{EVENTS}/quickAdd").status_code == 400
    vacation = "/gmail/v1/users/me/settings/vacation"
    assert api.call("PUT", vacation, json={"startTime": "soon"}).status_code == 400
    assert api.call("PUT", vacation, json={"startTime": "2", "endTime": "1"}).status_code == 400
    assert api.call("PUT", vacation, json={"enableAutoReply": "yes"}).status_code == 400
    assert api.http.post("/emulator/v1/domains", json={"domain": "x"}).status_code == 400
    assert (
        api.http.post("/emulator/v1/domains", json={"domain": "a.org", "users": [{"email": "z@b.org"}]}).status_code
        == 400
    )
    assert api.http.post("/emulator/v1/clock", json={"time": "noon"}).status_code == 400
    assert api.http.post("/emulator/v1/domains/nope.org/service-accounts", json={"scopes": []}).status_code == 404
    assert api.http.patch("/emulator/v1/users/ghost@example.com", json={}).status_code == 404


def test_token_endpoint_errors(api: Api) -> None:
    """/token answers Google's OAuth errors for bad grants and assertions."""
    assert api.http.post("/token", data={"grant_type": "password"}).json()["error"] == ("unsupported_grant_type")
    bad = api.http.post(
        "/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"


def test_unexpected_errors_become_400() -> None:
    """Anything that escapes a view answers 400 in Google's format and is recorded."""
    broken = Blueprint("broken", __name__)

    @broken.get("/broken")
    def explode() -> str:
        raise RuntimeError("boom")

    state = EmulatorState()
    try:
        client = testing.client(create_app(state, extra_blueprints=[broken]))
        response = client.get("/broken")
        assert response.status_code == 400
        assert error(response)["reason"] == "badRequest"
        assert len(state.unexpected_errors) == 1
    finally:
        state.close()
