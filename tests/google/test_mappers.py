"""The Google mappers (events, ACL rules, freeBusy): pure, round-tripping unknown fields and the etag, writing back
only what changed."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import msgspec.structs
import pytest

from shared.adapters.google.acl import rule_from_api, rule_to_api
from shared.adapters.google.calendar_settings import CalendarAbout, about_from_api, setting_from_api
from shared.adapters.google.freebusy import busy_from_api, query_body
from shared.adapters.google.mappers import (
    EventTime,
    GoogleAttendee,
    answer_patch,
    calendar_event_from_api,
    event_from_api,
    event_patch,
    event_to_api,
    to_calendar_event,
)
from shared.ports.calendar import AccessRule

RESOURCE: dict[str, Any] = {
    "kind": "calendar#event",
    "etag": '"3181161784712000"',
    "id": "abc123",
    "status": "confirmed",
    "summary": "Planning",
    "description": "Agenda: budgets",
    "location": "@webex",
    "colorId": "5",
    "start": {"dateTime": "2026-11-25T10:00:00+01:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2026-11-25T11:00:00+01:00", "timeZone": "Europe/Berlin"},
    "organizer": {"email": "Ann@Example.com", "self": True, "displayName": "Ann"},
    "attendees": [
        {"email": "bob@example.com", "responseStatus": "accepted", "comment": "ok", "additionalGuests": 1},
        {"email": "room-1@example.com", "resource": True, "responseStatus": "accepted"},
    ],
    "conferenceData": {
        "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/x", "label": "x"}],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
    },
    "extendedProperties": {"private": {"hybridcal": "v1"}, "shared": {"s": "1"}},
    "reminders": {"useDefault": True},
    "updated": "2026-11-24T08:00:00.000Z",
    "futureField": {"nested": [1, 2, 3]},
}


def test_round_trip_keeps_unknown_fields_and_etag() -> None:
    """event_to_api(event_from_api(r)) == r, including colorId, reminders and a field Google may add later."""
    assert event_to_api(event_from_api(RESOURCE)) == RESOURCE


def test_mappers_never_mutate_their_input() -> None:
    """Reading and writing leave the input resource (and its nested lists) untouched."""
    original = copy.deepcopy(RESOURCE)
    event = event_from_api(RESOURCE)
    out = event_to_api(replace(event, location="", attendees=event.attendees[:1]))
    out["attendees"].append({"email": "x@example.com"})
    assert original == RESOURCE
    assert event.raw["attendees"] == RESOURCE["attendees"]


def test_fields_read_as_the_service_uses_them() -> None:
    """Times are UTC, emails lower-case, flags and properties read, entry points collected."""
    event = event_from_api(RESOURCE)
    assert event.start == EventTime(datetime(2026, 11, 25, 9, tzinfo=UTC), None, "Europe/Berlin")
    assert event.organizer_email == "ann@example.com" and event.organizer_self
    assert event.attendees[1] == GoogleAttendee("room-1@example.com", "accepted", resource=True)
    assert dict(event.private_properties) == {"hybridcal": "v1"}
    assert event.entry_points[0].uri == "https://meet.google.com/x"
    assert event.updated == datetime(2026, 11, 24, 8, tzinfo=UTC)


def test_only_changed_fields_are_written_back() -> None:
    """Changing location, a private property and an attendee's answer keeps the rest byte-for-byte."""
    event = event_from_api(RESOURCE)
    bob = msgspec.structs.replace(event.attendees[0], response_status="declined")
    changed = replace(
        event, location="Room 1", private_properties={"hybridcal": "v2"}, attendees=(bob, event.attendees[1])
    )
    out = event_to_api(changed)
    assert out["location"] == "Room 1"
    assert out["extendedProperties"] == {"private": {"hybridcal": "v2"}, "shared": {"s": "1"}}
    assert out["attendees"][0] == {
        "email": "bob@example.com",
        "responseStatus": "declined",
        "comment": "ok",
        "additionalGuests": 1,
    }
    assert out["start"] == RESOURCE["start"] and out["etag"] == RESOURCE["etag"]
    moved = event_to_api(replace(event, start=EventTime(datetime(2026, 11, 25, 12, tzinfo=UTC), None, "Europe/Berlin")))
    assert moved["start"] == {"dateTime": "2026-11-25T12:00:00Z", "timeZone": "Europe/Berlin"}


def test_all_day_and_cancelled_instances_map_to_the_domain() -> None:
    """An all-day event and a cancelled instance of a series map onto CalendarEvent."""
    all_day = calendar_event_from_api({"id": "d1", "start": {"date": "2026-11-26"}, "end": {"date": "2026-11-27"}})
    assert all_day.all_day and all_day.start == datetime(2026, 11, 26, tzinfo=UTC)
    assert event_from_api({"id": "d1", "start": {"date": "2026-11-26"}}).start == EventTime(None, date(2026, 11, 26))
    cancelled = calendar_event_from_api(
        {
            "id": "m_20261125T090000Z",
            "status": "cancelled",
            "recurringEventId": "m",
            "originalStartTime": {"dateTime": "2026-11-25T09:00:00Z"},
        }
    )
    assert cancelled.cancelled and cancelled.recurring_event_id == "m"
    assert cancelled.original_start == datetime(2026, 11, 25, 9, tzinfo=UTC)


SHAPES: list[dict[str, Any]] = [
    RESOURCE,
    {"id": "d1", "start": {"date": "2026-11-26", "timeZone": "Europe/Berlin"}, "end": {"date": "2026-11-27"}},
    {
        "id": "m_1",
        "status": "cancelled",
        "recurringEventId": "m",
        "originalStartTime": {"dateTime": "2026-11-25T09:00:00Z"},
    },
    {"id": "m", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"], "start": {"dateTime": "2026-11-25T09:00:00-05:00"}},
    {"id": "w", "eventType": "workingLocation", "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}}},
    {
        "id": "c",
        "conferenceData": {
            "conferenceSolution": {"key": {"type": "addOn"}, "name": "Webex"},
            "conferenceId": "c1",
            "parameters": {"addOnParameters": {"parameters": {"k": "v", "n": 1}}},
        },
    },
    {
        "id": "odd",
        "organizer": "not an object",
        "attendees": ["x", {"email": "A@B.example"}],
        "extendedProperties": {"private": "no"},
        "start": "no",
        "end": {},
        "hangoutLink": "https://meet.google.com/h",
        "visibility": "private",
        "iCalUID": "u@google.com",
        "etag": '"1"',
        "updated": "",
    },
    {},
]


@pytest.mark.parametrize("resource", SHAPES, ids=lambda r: str(r.get("id", "empty")))
def test_the_one_pass_domain_view_equals_the_round_tripping_view(resource: dict[str, Any]) -> None:
    """The one-pass domain view (what a sync maps every listed item with) reads what the GoogleEvent path reads."""
    assert calendar_event_from_api(resource) == to_calendar_event(event_from_api(resource))


def test_the_answer_patch_changes_one_status_and_keeps_every_other_field() -> None:
    """answer_patch goes through event_to_api: only attendees change, a guest's comment and extra guests stay."""
    event = event_from_api({**RESOURCE, "attendees": [*RESOURCE["attendees"], {"email": "ann@example.com"}]})
    patch = answer_patch(event, "Ann@Example.com", "declined")
    assert set(patch) == {"attendees"}
    bob, room, ann = patch["attendees"]
    assert bob == RESOURCE["attendees"][0] and room == RESOURCE["attendees"][1]
    assert ann == {"email": "ann@example.com", "responseStatus": "declined"}


def test_a_patch_names_only_what_changed_and_clears_what_went() -> None:
    """event_patch of an unchanged event is empty; a changed location and a dropped time show up, nothing else."""
    event = event_from_api(RESOURCE)
    assert event_patch(event) == {}
    assert event_patch(replace(event, location="Room 2", end=None)) == {"location": "Room 2", "end": None}


def test_acl_rules_round_trip_unknown_fields_and_the_etag() -> None:
    """rule_to_api(rule_from_api(r), r) == r; a new role keeps the etag and fields the mapper does not know."""
    raw = {
        "kind": "calendar#aclRule",
        "etag": '"00001"',
        "id": "user:bob@example.com",
        "role": "reader",
        "scope": {"type": "user", "value": "Bob@Example.com"},
        "futureField": [1],
    }
    rule = rule_from_api(raw)
    assert rule == AccessRule("user:bob@example.com", "reader", "user", "bob@example.com", '"00001"')
    assert rule_to_api(rule, raw) == raw
    assert rule_to_api(msgspec.structs.replace(rule, role="writer"), raw) == {**raw, "role": "writer"}
    assert rule_to_api(AccessRule("", "reader", "default")) == {"role": "reader", "scope": {"type": "default"}}
    assert rule_from_api({"role": "owner", "scope": {"type": "user", "value": "x@example.com"}}).rule_id == (
        "user:x@example.com"
    )


def test_free_busy_body_and_answer() -> None:
    """The query names each calendar and the window in UTC; an error or a missing calendar maps to None."""
    start, end = datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)
    assert query_body(["a@x", "b@x"], start, end) == {
        "timeMin": "2026-11-25T00:00:00Z",
        "timeMax": "2026-11-26T00:00:00Z",
        "items": [{"id": "a@x"}, {"id": "b@x"}],
    }
    answer = {
        "calendars": {
            "a@x": {"busy": [{"start": "2026-11-25T10:00:00+01:00", "end": "2026-11-25T11:00:00+01:00"}]},
            "b@x": {"errors": [{"reason": "notFound"}]},
        }
    }
    busy = busy_from_api(answer, ["a@x", "b@x", "c@x"])
    assert busy == {"a@x": ((datetime(2026, 11, 25, 9, tzinfo=UTC), start.replace(hour=10)),), "b@x": None, "c@x": None}


def test_settings_and_calendar_resources() -> None:
    """A setting's value and a calendar's name and zone are read; missing or odd answers give "" and None."""
    assert setting_from_api({"kind": "calendar#setting", "value": "de"}) == "de"
    assert setting_from_api(None) == ""
    about = about_from_api({"id": "r@x", "summary": "Boardroom " * 40, "timeZone": "Europe/Berlin"})
    assert (len(about.name or ""), about.time_zone) == (200, "Europe/Berlin")
    assert about_from_api({"id": "r@x"}) == CalendarAbout(None, None)


def test_an_attendee_entry_read_before_is_shared_and_an_unhashable_one_still_read() -> None:
    """The same ``attendees[]`` entry on two events maps to one shared value; an entry with a list where
    Google writes text maps as before, without the shared map."""
    entry = {"email": "Guest@Partner.example", "responseStatus": "accepted", "displayName": "Guest"}
    first = calendar_event_from_api({"id": "a", "attendees": [dict(entry)]}).attendees[0]
    second = calendar_event_from_api({"id": "b", "attendees": [dict(entry)]}).attendees[0]
    assert first is second
    assert (first.email, first.response_status, first.display_name) == ("guest@partner.example", "accepted", "Guest")
    odd = calendar_event_from_api({"id": "c", "attendees": [{**entry, "comment": ["not", "text"]}]}).attendees[0]
    assert odd == first and odd is not first
    moved = calendar_event_from_api({"id": "d", "attendees": [{**entry, "responseStatus": "declined"}]}).attendees[0]
    assert moved.response_status == "declined"
