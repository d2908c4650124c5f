"""Recurrence expansion checked against two independent references on hard cases.

Each case is expanded three ways: by the emulator (``events.list`` with ``singleEvents``, after
the case's moved and cancelled instances were written through the API); by icalendar with
recurring-ical-events over an iCalendar text (moves as ``RECURRENCE-ID`` components,
cancellations as ``EXDATE``); and by ``dateutil.rrule.rrulestr`` over the same RFC 5545 lines
with zoneinfo time zones, moves and cancellations applied by hand. All three must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr

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
    window: tuple[str, str] = WINDOW


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
    Case(
        "monthly-second-to-last-weekday-bysetpos",
        "Europe/Paris",
        "2024-01-30T16:00:00",
        ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;COUNT=6"],
    ),
    Case(
        "monthly-last-day-of-month", "Asia/Tokyo", "2024-01-31T18:00:00", ["RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=13"]
    ),
    Case(
        "all-day-last-day-of-month",
        "Europe/Berlin",
        "2024-01-31",
        ["RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6"],
        all_day=True,
    ),
    Case(
        "all-day-29-february-count-3",
        "Europe/Berlin",
        "2024-02-29",
        ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3"],
        all_day=True,
        window=("2023-12-01T00:00:00Z", "2034-01-01T00:00:00Z"),
    ),
    Case(
        "timed-29-february-yearly",
        "Europe/London",
        "2024-02-29T12:00:00",
        ["RRULE:FREQ=YEARLY;COUNT=2"],
        window=("2023-12-01T00:00:00Z", "2030-01-01T00:00:00Z"),
    ),
    Case(
        "until-utc-on-the-next-utc-day",
        "America/Los_Angeles",
        "2024-04-01T18:00:00",
        ["RRULE:FREQ=DAILY;UNTIL=20240405T010000Z"],
    ),
    Case(
        "until-utc-before-tokyo-local-date",
        "Asia/Tokyo",
        "2024-03-01T08:00:00",
        ["RRULE:FREQ=WEEKLY;UNTIL=20240321T230000Z"],
    ),
    Case(
        "exdate-in-another-zone",
        "Europe/Berlin",
        "2024-03-26T09:00:00",
        ["RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=America/New_York:20240328T040000"],
    ),
    Case(
        "rdate-several-values",
        "Europe/Berlin",
        "2024-03-04T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=Europe/Berlin:20240320T150000,20240327T150000"],
    ),
    Case(
        "rdate-in-utc",
        "America/New_York",
        "2024-03-04T09:00:00",
        ["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE:20240401T120000Z"],
    ),
    Case(
        "all-day-rdate-and-exdate-dates",
        "Europe/Berlin",
        "2024-03-01",
        ["RRULE:FREQ=WEEKLY;UNTIL=20240329", "RDATE;VALUE=DATE:20240316", "EXDATE;VALUE=DATE:20240322"],
        all_day=True,
    ),
    Case("sydney-autumn-dst-weekly", "Australia/Sydney", "2024-03-25T09:00:00", ["RRULE:FREQ=WEEKLY;COUNT=4"]),
    Case("sydney-spring-gap-daily", "Australia/Sydney", "2024-10-05T02:30:00", ["RRULE:FREQ=DAILY;COUNT=3"]),
    Case("london-fall-overlap-daily", "Europe/London", "2024-10-26T01:30:00", ["RRULE:FREQ=DAILY;COUNT=3"]),
    Case("auckland-dst-end-weekly", "Pacific/Auckland", "2024-03-25T08:00:00", ["RRULE:FREQ=WEEKLY;COUNT=3"]),
    Case("kolkata-half-hour-zone-monthly", "Asia/Kolkata", "2024-01-15T10:30:00", ["RRULE:FREQ=MONTHLY;COUNT=6"]),
    Case(
        "wkst-monday-biweekly-rfc-example",
        "America/New_York",
        "2024-08-06T09:00:00",
        ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"],
    ),
    Case(
        "wkst-sunday-biweekly-rfc-example",
        "America/New_York",
        "2024-08-06T09:00:00",
        ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"],
    ),
    Case("monthly-fifth-friday", "Europe/Berlin", "2024-03-29T15:00:00", ["RRULE:FREQ=MONTHLY;BYDAY=5FR;COUNT=4"]),
    Case(
        "yearly-first-monday-of-week-one",
        "Europe/Berlin",
        "2024-01-01T09:00:00",
        ["RRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=3"],
    ),
    Case("yearly-day-100", "America/Sao_Paulo", "2024-04-09T10:00:00", ["RRULE:FREQ=YEARLY;BYYEARDAY=100;COUNT=3"]),
    Case(
        "weekdays-daily-in-sao-paulo",
        "America/Sao_Paulo",
        "2024-03-01T08:00:00",
        ["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10"],
    ),
    Case(
        "friday-the-thirteenth",
        "Europe/Berlin",
        "2024-09-13T13:00:00",
        ["RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3"],
        window=("2023-12-01T00:00:00Z", "2030-01-01T00:00:00Z"),
    ),
    Case(
        "triweekly-until-tokyo",
        "Asia/Tokyo",
        "2024-01-09T09:00:00",
        ["RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=TU;UNTIL=20240430T000000Z"],
    ),
    Case(
        "quarterly-last-weekday",
        "Europe/Berlin",
        "2024-03-29T10:00:00",
        ["RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=4"],
    ),
    Case(
        "all-day-yearly-anniversary-exdate",
        "America/New_York",
        "2024-05-06",
        ["RRULE:FREQ=YEARLY;COUNT=3", "EXDATE;VALUE=DATE:20250506"],
        all_day=True,
    ),
    Case(
        "daily-series-with-move-and-cancel-in-sydney",
        "Australia/Sydney",
        "2024-04-03T09:00:00",
        ["RRULE:FREQ=DAILY;COUNT=6"],
        moves={"2024-04-05T09:00:00": "2024-04-05T13:00:00"},
        cancels=["2024-04-07T09:00:00"],
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
    start = datetime.fromisoformat(case.window[0])
    end = datetime.fromisoformat(case.window[1])
    found = recurring_ical_events.of(calendar).between(start, end)
    values = [component["DTSTART"].dt for component in found]
    if case.all_day:
        return sorted(values)
    return sorted(v.astimezone(UTC) for v in values)


def _for_dateutil(line: str) -> str:
    """dateutil reads neither ``VALUE=DATE`` nor ``TZID`` on RDATE: give it dates, and UTC times."""
    line = line.replace(";VALUE=DATE:", ":")
    head, _, values = line.partition(":")
    if not head.startswith("RDATE;TZID="):
        return line
    zone = ZoneInfo(head.split("=", 1)[1])
    stamps = [datetime.strptime(v, "%Y%m%dT%H%M%S").replace(tzinfo=zone).astimezone(UTC) for v in values.split(",")]
    return "RDATE:" + ",".join(t.strftime("%Y%m%dT%H%M%SZ") for t in stamps)


def dateutil_reference(case: Case) -> list[Any]:
    """Expand the case with dateutil's own RFC 5545 parser (zoneinfo zones; moves applied by hand)."""
    if case.all_day:
        head = f"DTSTART;VALUE=DATE:{_stamp(case.start, True)}"
    else:
        head = f"DTSTART;TZID={case.tz}:{_stamp(case.start, False)}"
    lines = [_for_dateutil(line) for line in case.lines]
    rules = rrulestr("\n".join([head, *lines]), forceset=True, tzids=ZoneInfo)
    zone = ZoneInfo(case.tz)
    low = datetime.fromisoformat(case.window[0])
    high = datetime.fromisoformat(case.window[1])
    length = timedelta(days=1) if case.all_day else timedelta(minutes=case.minutes)
    moved = {datetime.fromisoformat(k).replace(tzinfo=zone): v for k, v in case.moves.items()}
    cancelled = {datetime.fromisoformat(c).replace(tzinfo=zone) for c in case.cancels}
    found: list[Any] = []
    for value in rules:
        if case.all_day:
            begin = value.replace(tzinfo=zone).astimezone(UTC)
            if begin >= high:
                break
            if begin + length > low:
                found.append(value.date())
            continue
        if value.astimezone(UTC) >= high:
            break
        if value in cancelled:
            continue
        actual = datetime.fromisoformat(moved[value]).replace(tzinfo=zone) if value in moved else value
        if actual.astimezone(UTC) + length > low:
            found.append(actual.astimezone(UTC))
    return sorted(found)


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
            "timeMin": case.window[0],
            "timeMax": case.window[1],
            "maxResults": "2500",
        },
    ).json()["items"]
    assert all(item["iCalUID"] == master["iCalUID"] for item in listed)
    if case.all_day:
        return sorted(date.fromisoformat(i["start"]["date"]) for i in listed)
    return sorted(datetime.fromisoformat(i["start"]["dateTime"]).astimezone(UTC) for i in listed)


def test_the_oracle_covers_the_hard_cases() -> None:
    """At least 30 rules, covering BYSETPOS, month ends, 29 February, UNTIL, EXDATE/RDATE, WKST, all-day, DST."""
    assert len(CASES) >= 30
    text = " ".join(" ".join(c.lines) for c in CASES)
    for feature in ("BYSETPOS", "BYMONTHDAY=-1", "BYMONTHDAY=29", "UNTIL=", "EXDATE", "RDATE", "WKST", "BYWEEKNO"):
        assert feature in text, feature
    assert sum(c.all_day for c in CASES) >= 6
    assert len({c.tz for c in CASES}) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expansion_matches_both_references(api: Api, case: Case) -> None:
    """The emulator's instances start exactly where recurring-ical-events and dateutil say they do."""
    expected = oracle(case)
    assert expected, "the oracle found no instances"
    assert dateutil_reference(case) == expected
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


def test_a_series_starting_at_a_fraction_of_a_second_lists_each_instance_once(api: Api) -> None:
    """Google keeps event times to the second: a start written with a fraction lists every instance once,
    expanded or through ``events.instances``, at the whole second."""
    master = api.insert(
        {
            "summary": "s",
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
            "start": {"dateTime": "2024-05-06T09:00:00.640+02:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-05-06T09:30:00.640+02:00", "timeZone": "Europe/Berlin"},
        }
    )
    assert master["start"]["dateTime"] == "2024-05-06T09:00:00+02:00"
    starts = ["2024-05-06T09:00:00+02:00", "2024-05-13T09:00:00+02:00", "2024-05-20T09:00:00+02:00"]
    instances = api.call("GET", f"{EVENTS}/{master['id']}/instances").json()["items"]
    assert [i["start"]["dateTime"] for i in instances] == starts
    params = {"singleEvents": "true", "timeMin": WINDOW[0], "timeMax": WINDOW[1]}
    listed = api.call("GET", EVENTS, params=params).json()["items"]
    assert [i["id"] for i in listed] == [i["id"] for i in instances]
    assert len({i["id"] for i in listed}) == 3
