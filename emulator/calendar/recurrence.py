"""Recurrence expansion (RRULE, EXRULE, RDATE, EXDATE) in the event's own time zone.

Timed events recur in wall-clock time of ``start.timeZone`` (so 09:00 stays 09:00 across DST;
a wall time that does not exist on a spring-forward day is shifted forward by the gap, as
Google writes it); all-day events recur on dates. ``dateutil.rrule`` does the rule arithmetic;
this module parses Google's ``recurrence`` lines, normalises ``UNTIL`` and date lists, and
cuts to a window. :class:`Expansion` keeps the instances generated so far, so a window is a
binary search instead of a walk from the series' first instance.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from dateutil.rrule import rrule, rruleset, rrulestr

from emulator.timeutil import EventTime, zone

MAX_INSTANCES = 5000


def _parse_stamp(text: str, tz: tzinfo | None, all_day: bool, at: datetime) -> datetime:
    """Parse one RFC 5545 DATE or DATE-TIME value into the expansion's datetime space."""
    text = text.strip()
    if len(text) == 8:
        day = datetime.strptime(text, "%Y%m%d")
        if all_day:
            return day
        assert at.tzinfo is not None
        return datetime.combine(day.date(), at.timetz().replace(tzinfo=None), tzinfo=at.tzinfo)
    utc = text.endswith(("Z", "z"))
    moment = datetime.strptime(text.rstrip("Zz"), "%Y%m%dT%H%M%S")
    moment = moment.replace(tzinfo=UTC) if utc else moment.replace(tzinfo=tz or at.tzinfo or UTC)
    if all_day:
        return datetime(moment.year, moment.month, moment.day)
    assert at.tzinfo is not None
    return moment.astimezone(at.tzinfo)


def _split(line: str) -> tuple[str, dict[str, str], str]:
    head, _, value = line.partition(":")
    name, *params = head.split(";")
    parsed = {}
    for param in params:
        key, _, val = param.partition("=")
        parsed[key.upper()] = val
    return name.upper(), parsed, value


def _normalise_rule(value: str, dtstart: datetime, all_day: bool) -> str:
    parts = []
    for part in value.split(";"):
        key, _, val = part.partition("=")
        if key.upper() == "UNTIL" and val:
            until = _parse_stamp(val, None, all_day, dtstart)
            if not all_day and len(val.strip()) == 8:
                until = until.replace(hour=23, minute=59, second=59)
            val = until.strftime("%Y%m%dT%H%M%S") if all_day else until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{key}={val}" if val else key)
    return ";".join(parts)


def build_ruleset(start: EventTime, recurrence: list[str]) -> rruleset:
    """Return the ruleset for a master starting at ``start``; ``ValueError`` if malformed."""
    all_day = start.all_day
    dtstart = start.local()
    tz = dtstart.tzinfo
    rules = rruleset()
    rules.rdate(dtstart)
    has_rule = False
    for line in recurrence:
        if not isinstance(line, str) or ":" not in line:
            raise ValueError(f"bad recurrence line {line!r}")
        name, params, value = _split(line.strip())
        if name in ("RRULE", "EXRULE"):
            rule = rrulestr(_normalise_rule(value, dtstart, all_day), dtstart=dtstart, ignoretz=False)
            if not isinstance(rule, rrule):
                raise ValueError("expected a single rule")
            if name == "RRULE":
                rules.rrule(rule)
                has_rule = True
            else:
                rules.exrule(rule)
        elif name in ("RDATE", "EXDATE"):
            if params.get("VALUE", "").upper() == "PERIOD":
                raise ValueError("RDATE periods are not supported")
            line_tz = zone(params["TZID"]) if "TZID" in params else tz
            for item in value.split(","):
                stamp = _parse_stamp(item, line_tz, all_day, dtstart)
                if name == "RDATE":
                    rules.rdate(stamp)
                    has_rule = True
                else:
                    rules.exdate(stamp)
        else:
            raise ValueError(f"unsupported recurrence property {name}")
    if not has_rule:
        raise ValueError("recurrence needs an RRULE or RDATE")
    return rules


def is_finite(recurrence: list[str]) -> bool:
    """Whether every ``RRULE`` line ends (``COUNT`` or ``UNTIL``); RDATEs are always finite."""
    for line in recurrence:
        name, _, value = str(line).partition(":")
        if name.split(";")[0].strip().upper() != "RRULE":
            continue
        keys = {part.partition("=")[0].strip().upper() for part in value.split(";")}
        if not keys & {"COUNT", "UNTIL"}:
            return False
    return True


def real_local(value: datetime) -> datetime:
    """Return an aware wall time as it really exists: a time in a DST gap moves forward."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).astimezone(value.tzinfo)


def instant(value: datetime, all_day_tz: tzinfo) -> datetime:
    """Return the UTC instant of an expansion value (naive values are all-day midnights)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=all_day_tz).astimezone(UTC)
    return value.astimezone(UTC)


class Expansion:
    """The instances of one series, generated lazily and kept sorted by their UTC start."""

    def __init__(self, start: EventTime, recurrence: list[str], all_day_tz: tzinfo) -> None:
        self._source = iter(build_ruleset(start, recurrence))
        self._tz = all_day_tz
        self.values: list[datetime] = []
        self.instants: list[datetime] = []
        self.complete = False

    def _extend(self, until: datetime | None) -> None:
        while not self.complete and (until is None or not self.instants or self.instants[-1] < until):
            if len(self.values) >= MAX_INSTANCES:
                self.complete = True
                break
            try:
                value = next(self._source)
            except StopIteration:
                self.complete = True
                break
            self.values.append(value)
            self.instants.append(instant(value, self._tz))

    def window(
        self,
        duration: timedelta,
        window_start: datetime | None,
        window_end: datetime | None,
        *,
        end_inclusive: bool = False,
    ) -> list[datetime]:
        """Original starts of the instances that end after ``window_start`` (at or after, with
        ``end_inclusive``) and start before ``window_end``; every instance when both are None."""
        self._extend(window_end)
        low = 0
        if window_start is not None:
            edge = window_start - duration
            low = bisect_left(self.instants, edge) if end_inclusive else bisect_right(self.instants, edge)
        high = len(self.instants) if window_end is None else bisect_left(self.instants, window_end)
        return self.values[low:high]


def expansion_of(cache: dict[Any, Expansion], start: EventTime, recurrence: list[str], tz: tzinfo) -> Expansion:
    """Return the cached :class:`Expansion` of a series (rebuilt when its start or rules change)."""
    key = (start, tuple(recurrence), str(tz))
    found = cache.get(key)
    if found is None:
        if len(cache) >= 4:
            cache.clear()
        found = cache[key] = Expansion(start, recurrence, tz)
    return found


def instance_suffix(original: datetime) -> str:
    """Return the ``_YYYYMMDDTHHMMSSZ`` (or ``_YYYYMMDD``) suffix of an instance id."""
    if original.tzinfo is None:
        return original.strftime("%Y%m%d")
    return original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_suffix(suffix: str, all_day: bool, tz: tzinfo | None) -> datetime:
    """Invert :func:`instance_suffix` into the expansion's datetime space."""
    if all_day:
        return datetime.strptime(suffix, "%Y%m%d")
    moment = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return moment.astimezone(tz) if tz is not None else moment


def as_date(value: datetime) -> date:
    """Return the calendar date of an all-day expansion value."""
    return value.date()
