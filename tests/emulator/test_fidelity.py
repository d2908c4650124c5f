"""Where the emulator once answered what Google would not: time bounds, finite series, DST gaps, statuses."""

from __future__ import annotations

from typing import Any

import pytest
from google.rpc import code_pb2

from tests.emulator.conftest import Api, timed

EVENTS = "/calendar/v3/calendars/primary/events"
RPC_CODES = frozenset(code_pb2.Code.keys())


def _list(api: Api, **params: str) -> list[dict[str, Any]]:
    response = api.call("GET", EVENTS, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_list_time_bounds_are_exclusive(api: Api) -> None:
    """An event ending exactly at timeMin or starting exactly at timeMax is outside the range."""
    before = api.insert(timed("2024-05-06T08:00:00", "2024-05-06T10:00:00", summary="ends at timeMin"))
    inside = api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:01", summary="ends just after"))
    after = api.insert(timed("2024-05-06T11:00:00", "2024-05-06T12:00:00", summary="starts at timeMax"))
    ids = {e["id"] for e in _list(api, timeMin="2024-05-06T08:00:00Z", timeMax="2024-05-06T09:00:00Z")}
    assert ids == {inside["id"]}
    assert before["id"] not in ids and after["id"] not in ids


def test_recurring_instances_respect_exclusive_list_bounds(api: Api) -> None:
    """An instance ending exactly at timeMin is not listed; the next one is."""
    api.insert(
        timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"], summary="daily")
    )
    items = _list(api, singleEvents="true", timeMin="2024-05-06T08:00:00Z", timeMax="2024-05-09T00:00:00Z")
    assert [i["start"]["dateTime"] for i in items] == ["2024-05-07T09:00:00+02:00", "2024-05-08T09:00:00+02:00"]


def test_instances_lower_bound_is_inclusive_as_documented(api: Api) -> None:
    """events.instances documents timeMin as an inclusive bound on an instance's end."""
    master = api.insert(
        timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"], summary="daily")
    )
    items = api.call("GET", f"{EVENTS}/{master['id']}/instances", params={"timeMin": "2024-05-06T08:00:00Z"}).json()
    assert len(items["items"]) == 3


def test_finite_series_returns_every_instance_without_time_max(api: Api) -> None:
    """A yearly 29 February series with COUNT=3 has three instances, eight years apart, in both listings."""
    master = api.insert(
        {
            "summary": "leap",
            "start": {"date": "2024-02-29"},
            "end": {"date": "2024-03-01"},
            "recurrence": ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3"],
        }
    )
    instances = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert [i["start"]["date"] for i in instances] == ["2024-02-29", "2028-02-29", "2032-02-29"]
    listed = _list(api, singleEvents="true")
    assert [i["start"]["date"] for i in listed] == ["2024-02-29", "2028-02-29", "2032-02-29"]


def test_until_series_beyond_two_years_is_complete(api: Api) -> None:
    """A monthly series with UNTIL five years out lists all sixty instances with no timeMax."""
    master = api.insert(
        timed(
            "2024-01-15T09:00:00",
            "2024-01-15T09:30:00",
            recurrence=["RRULE:FREQ=MONTHLY;UNTIL=20281215T235959Z"],
            summary="monthly",
        )
    )
    instances = api.call("GET", f"{EVENTS}/{master['id']}/instances", params={"maxResults": "2500"}).json()
    assert len(instances["items"]) == 60
    assert instances["items"][-1]["start"]["dateTime"] == "2028-12-15T09:00:00+01:00"


def test_nonexistent_wall_time_is_shifted_like_google(api: Api) -> None:
    """02:30 on Berlin's spring-forward day is written as 03:30+02:00, the time that exists."""
    event = api.insert(timed("2024-03-31T02:30:00", "2024-03-31T03:30:00", summary="gap"))
    assert event["start"] == {"dateTime": "2024-03-31T03:30:00+02:00", "timeZone": "Europe/Berlin"}
    assert event["end"]["dateTime"] == "2024-03-31T03:30:00+02:00"


def test_series_instance_in_dst_gap_is_shifted(api: Api) -> None:
    """A daily 02:30 series shows 03:30+02:00 on the spring-forward day and 02:30 on the others."""
    master = api.insert(
        timed("2024-03-30T02:30:00", "2024-03-30T03:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"], summary="night")
    )
    items = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert [i["start"]["dateTime"] for i in items] == [
        "2024-03-30T02:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
        "2024-04-01T02:30:00+02:00",
    ]
    assert items[1]["id"] == f"{master['id']}_20240331T013000Z"
    again = api.call("GET", f"{EVENTS}/{items[1]['id']}").json()
    assert again["start"]["dateTime"] == "2024-03-31T03:30:00+02:00"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/calendar/v3/users/me/settings/locale", None),
        ("GET", "/calendar/v3/no/such/route", None),
        ("POST", EVENTS, {"summary": "no times"}),
        ("GET", EVENTS, None),
        ("PATCH", f"{EVENTS}/nosuchevent1", {"summary": "x"}),
    ],
)
def test_error_status_is_a_google_rpc_code(api: Api, method: str, path: str, body: dict[str, Any] | None) -> None:
    """Every error body's status names a google.rpc.Code."""
    params = {"timeMin": "soon"} if method == "GET" and path == EVENTS else None
    response = api.call(method, path, json=body, params=params)
    assert response.status_code >= 400
    assert response.json()["error"]["status"] in RPC_CODES


def test_calendar_reasons_use_the_calendar_domain(api: Api) -> None:
    """timeRangeEmpty is reported in the calendar error domain, as Google documents it."""
    response = api.call("POST", EVENTS, json=timed("2024-05-06T10:00:00", "2024-05-06T09:00:00"))
    detail = response.json()["error"]["errors"][0]
    assert (detail["reason"], detail["domain"]) == ("timeRangeEmpty", "calendar")
