"""Recurrence expansion checked against icalendar + recurring-ical-events on hard cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from tests.emulator.conftest import Api

EVENTS = "/calendar/v3/calendars/primary/events"
WINDOW = ("2023-12-01T00:00:00Z", "2027-01-01T00:00:00Z")


@dataclass
class Case:
    """One recurrence scenario: master start (local), duration, rules, exceptions."""

    name: str
    tz: str
    start: str
    lines: list[str]
    minutes: int = 60
    all_day: bool = False
    moves: dict[str, str] = field(default_factory=dict)
    cancels: list[str] = field(default_factory=list)


CASES = [
    Case(
        "weekly-over-berlin-spring-dst", "Europe/Berlin", "2024-03-11T09:00:00", ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6"]
    ),
    Case("daily-over-newyork-fall-dst", "America/New_York", "2024-10-30T09:00:00", ["RRULE:FREQ=DAILY;COUNT=10"]),
    Case("daily-in-berlin-spring-gap", "Europe/Berlin", "2024-03-28T02:30:00", ["RRULE:FREQ=DAILY;COUNT=6"]),
    Case("daily-in-newyork-fall-overlap", "America/New_York", "2024-11-01T01:30:00", ["RRULE:FREQ=DAILY;COUNT=5"]),
    Case("monthly-second-tuesday", "Europe/Berlin", "2024-01-09T14:00:00", ["RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=8"]),
    Case("monthly-last-friday", "America/New_York", "2024-01-26T16:00:00", ["RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=6"]),
    Case(
        "monthly-last-weekday-bysetpos",
        "Europe/Berlin",
        "2024-01-31T10:00:00",
        ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=7"],
    ),
    Case(
        "monthly-first-weekday-bysetpos",
        "America/New_York",
        "2024-01-01T08:00:00",
        ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1;COUNT=7"],
    ),
    Case(
        "monthly-31st-skips-short-months",
        "Europe/Berlin",
        "2024-01-31T12:00:00",
        ["RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6"],
    ),
    Case(
        "yearly-last-sunday-of-march",
        "Europe/Berlin",
        "2024-03-31T10:00:00",
        ["RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3"],
    ),
    Case(
        "biweekly-tue-thu-until",
        "America/New_York",
        "2024-02-27T18:00:00",
        ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20240430T220000Z"],
    ),
    Case(
        "until-hits-last-occurrence",
        "Europe/Berlin",
        "2024-03-25T09:00:00",
        ["RRULE:FREQ=DAILY;UNTIL=20240401T070000Z"],
    ),
    Case("count-same-span-as-until", "Europe/Berlin", "2024-03-25T09:00:00", ["RRULE:FREQ=DAILY;COUNT=8"]),
    Case(
        "wkst-sunday-biweekly",
        "Europe/Berlin",
        "2024-03-04T07:30:00",
        ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU;COUNT=8"],
    ),
    Case("all-day-weekly-friday", "Europe/Berlin", "2024-03-01", ["RRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=5"], all_day=True),
    Case("all-day-leap-day-yearly", "America/New_York", "2024-02-29", ["RRULE:FREQ=YEARLY;COUNT=2"], all_day=True),
    Case(
        "all-day-daily-exdate",
        "Europe/Berlin",
        "2024-03-29",
        ["RRULE:FREQ=DAILY;COUNT=6", "EXDATE;VALUE=DATE:20240331,20240401"],
        all_day=True,
    ),
    Case(
        "exdate-with-tzid",
        "Europe/Berlin",
        "2024-03-18T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20240401T090000"],
    ),
    Case(
        "exdate-in-utc",
        "America/New_York",
        "2024-03-04T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20240311T130000Z"],
    ),
    Case(
        "rdate-extra-with-tzid",
        "Europe/Berlin",
        "2024-03-18T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=Europe/Berlin:20240330T150000"],
    ),
    Case(
        "overridden-instance",
        "Europe/Berlin",
        "2024-03-18T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=4"],
        moves={"2024-03-25T09:00:00": "2024-03-25T11:00:00"},
    ),
    Case(
        "cancelled-instance",
        "America/New_York",
        "2024-03-04T09:00:00",
        ["RRULE:FREQ=DAILY;COUNT=10"],
        cancels=["2024-03-10T09:00:00"],
    ),
    Case(
        "instance-moved-across-dst",
        "Europe/Berlin",
        "2024-03-20T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=4"],
        moves={"2024-03-27T09:00:00": "2024-04-02T09:00:00"},
    ),
    Case(
        "override-and-cancel-over-fall-dst",
        "America/New_York",
        "2024-10-28T17:00:00",
        ["RRULE:FREQ=DAILY;COUNT=10"],
        moves={"2024-11-02T17:00:00": "2024-11-03T08:00:00"},
        cancels=["2024-11-04T17:00:00"],
    ),
]


def _stamp(local: str, all_day: bool) -> str:
    return local.replace("-", "").replace(":", "") if not all_day else local.replace("-", "")


def oracle(case: Case) -> list[Any]:
    """Expand the case with recurring-ical-events (cancellations become EXDATEs)."""
    tzid = case.tz
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//oracle//EN", "BEGIN:VEVENT", "UID:case@example.com"]
    if case.all_day:
        day = date.fromisoformat(case.start)
        lines += [
            f"DTSTART;VALUE=DATE:{_stamp(case.start, True)}",
            f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
        ]
    else:
        end = datetime.fromisoformat(case.start) + timedelta(minutes=case.minutes)
        lines += [
            f"DTSTART;TZID={tzid}:{_stamp(case.start, False)}",
            f"DTEND;TZID={tzid}:{end.strftime('%Y%m%dT%H%M%S')}",
        ]
    lines += case.lines
    lines += [f"EXDATE;TZID={tzid}:{_stamp(c, False)}" for c in case.cancels]
    lines.append("END:VEVENT")
    for original, moved in case.moves.items():
        end = datetime.fromisoformat(moved) + timedelta(minutes=case.minutes)
        lines += [
            "BEGIN:VEVENT",
            "UID:case@example.com",
            f"RECURRENCE-ID;TZID={tzid}:{_stamp(original, False)}",
            f"DTSTART;TZID={tzid}:{_stamp(moved, False)}",
            f"DTEND;TZID={tzid}:{end.strftime('%Y%m%dT%H%M%S')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    calendar = icalendar.Calendar.from_ical("\r\n".join(lines) + "\r\n")
    start = datetime.fromisoformat(WINDOW[0])
    end = datetime.fromisoformat(WINDOW[1])
    found = recurring_ical_events.of(calendar).between(start, end)
    values = [component["DTSTART"].dt for component in found]
    if case.all_day:
        return sorted(values)
    return sorted(v.astimezone(UTC) for v in values)


def emulator(api: Api, case: Case) -> list[Any]:
    """Expand the case through the emulator's events.list(singleEvents=true)."""
    if case.all_day:
        day = date.fromisoformat(case.start)
        start: dict[str, Any] = {"date": case.start}
        end: dict[str, Any] = {"date": (day + timedelta(days=1)).isoformat()}
    else:
        finish = datetime.fromisoformat(case.start) + timedelta(minutes=case.minutes)
        start = {"dateTime": case.start, "timeZone": case.tz}
        end = {"dateTime": finish.isoformat(), "timeZone": case.tz}
    master = api.insert({"summary": case.name, "start": start, "end": end, "recurrence": case.lines})
    zone = ZoneInfo(case.tz)

    def instance_id(local: str) -> str:
        moment = datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC)
        return f"{master['id']}_{moment.strftime('%Y%m%dT%H%M%SZ')}"

    for original, moved in case.moves.items():
        finish = datetime.fromisoformat(moved) + timedelta(minutes=case.minutes)
        response = api.call(
            "PATCH",
            f"{EVENTS}/{instance_id(original)}",
            json={
                "start": {"dateTime": moved, "timeZone": case.tz},
                "end": {"dateTime": finish.isoformat(), "timeZone": case.tz},
            },
        )
        assert response.status_code == 200, response.text
    for original in case.cancels:
        response = api.call("DELETE", f"{EVENTS}/{instance_id(original)}")
        assert response.status_code == 204, response.text
    listed = api.call(
        "GET",
        EVENTS,
        params={
            "singleEvents": "true",
            "orderBy": "startTime",
            "timeMin": WINDOW[0],
            "timeMax": WINDOW[1],
            "maxResults": "2500",
        },
    ).json()["items"]
    assert all(item["iCalUID"] == master["iCalUID"] for item in listed)
    if case.all_day:
        return sorted(date.fromisoformat(i["start"]["date"]) for i in listed)
    return sorted(datetime.fromisoformat(i["start"]["dateTime"]).astimezone(UTC) for i in listed)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expansion_matches_oracle(api: Api, case: Case) -> None:
    """The emulator's instances start exactly where recurring-ical-events says they do."""
    expected = oracle(case)
    assert expected, "the oracle found no instances"
    assert emulator(api, case) == expected


def test_master_moved_across_dst_keeps_wall_time(api: Api) -> None:
    """Moving a series' start from winter to summer keeps 09:00 local on every instance."""
    master = api.insert(
        {
            "summary": "s",
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
            "start": {"dateTime": "2024-03-19T09:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-03-19T10:00:00", "timeZone": "Europe/Berlin"},
        }
    )
    api.call(
        "PATCH",
        f"{EVENTS}/{master['id']}",
        json={
            "start": {"dateTime": "2024-03-26T09:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-03-26T10:00:00", "timeZone": "Europe/Berlin"},
        },
    )
    items = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert [i["start"]["dateTime"] for i in items] == [
        "2024-03-26T09:00:00+01:00",
        "2024-04-02T09:00:00+02:00",
        "2024-04-09T09:00:00+02:00",
    ]
    assert items[1]["originalStartTime"] == {"dateTime": "2024-04-02T09:00:00+02:00", "timeZone": "Europe/Berlin"}
    assert items[1]["id"] == f"{master['id']}_20240402T070000Z"


def test_exrule_and_instance_listing_details(api: Api) -> None:
    """EXRULE removes matching days; instances carry recurringEventId; showDeleted shows
    cancelled instances."""
    master = api.insert(
        {
            "summary": "s",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=7", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"],
            "start": {"date": "2024-03-04"},
            "end": {"date": "2024-03-05"},
        }
    )
    items = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert [i["start"]["date"] for i in items] == ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]
    assert items[0]["id"] == f"{master['id']}_20240304"
    assert {i["recurringEventId"] for i in items} == {master["id"]}
    api.call("DELETE", f"{EVENTS}/{master['id']}_20240305")
    shown = api.call("GET", f"{EVENTS}/{master['id']}/instances", params={"showDeleted": "true"}).json()["items"]
    assert [i["status"] for i in shown][:2] == ["confirmed", "cancelled"]
    hidden = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert len(hidden) == 4
    unknown = api.call("GET", f"{EVENTS}/{master['id']}_20240309")
    assert unknown.status_code == 404
