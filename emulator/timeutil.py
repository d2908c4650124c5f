"""RFC 3339 and Google ``EventDateTime`` helpers shared by the Calendar surface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from emulator.errors import ApiError, bad_request, invalid, required


def parse_rfc3339(value: str) -> datetime:
    """Parse an RFC 3339 timestamp with an offset (``Z`` allowed); raise ``ValueError``."""
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    parsed = datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    return parsed


def format_rfc3339(value: datetime) -> str:
    """Format ``value`` in UTC with milliseconds and ``Z``, as Google does for metadata."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_local(value: datetime) -> str:
    """Format ``value`` with its own offset and no fractions (event start/end style)."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def epoch_ms(value: datetime) -> int:
    """Return milliseconds since the epoch."""
    return int(value.timestamp() * 1000)


def from_epoch_ms(value: int) -> datetime:
    """Return the aware UTC datetime for epoch milliseconds."""
    return datetime.fromtimestamp(value / 1000, UTC)


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``; raise ``ValueError`` for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def query_time(value: str | None, name: str) -> datetime | None:
    """Parse a ``timeMin``-style query parameter, answering Google's 400 when it is bad."""
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise bad_request() from exc


@dataclass(frozen=True, slots=True)
class EventTime:
    """A parsed ``EventDateTime``: either an all-day ``date`` or an aware ``dateTime``."""

    all_day: bool
    day: date | None
    moment: datetime | None
    tz_name: str | None

    def as_utc(self, default_tz: tzinfo) -> datetime:
        """Return the instant; all-day dates start at midnight in ``default_tz``."""
        if self.moment is not None:
            return self.moment.astimezone(UTC)
        assert self.day is not None
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=default_tz).astimezone(UTC)

    def local(self) -> datetime:
        """Return the wall-clock start: in the event zone, or naive midnight for all-day."""
        if self.moment is not None:
            if self.tz_name:
                return self.moment.astimezone(zone(self.tz_name))
            return self.moment
        assert self.day is not None
        return datetime(self.day.year, self.day.month, self.day.day)


def parse_event_time(raw: Any, field: str, *, need_zone: bool = False) -> EventTime:
    """Validate and parse an ``EventDateTime`` object the way Google answers bad ones."""
    label = "start" if field == "start" else "end"
    if not isinstance(raw, dict) or not (raw.get("date") or raw.get("dateTime")):
        raise required(f"Missing {label} time.", location=field)
    tz_name = raw.get("timeZone")
    if tz_name is not None:
        try:
            zone(str(tz_name))
        except ValueError as exc:
            raise invalid(f"Invalid time zone definition for {label} time.", field) from exc
    if raw.get("date") and raw.get("dateTime"):
        raise invalid(f"Invalid {label} time.", field)
    if raw.get("date"):
        try:
            day = date.fromisoformat(str(raw["date"]))
        except ValueError as exc:
            raise invalid(f"Invalid {label} time.", field) from exc
        return EventTime(True, day, None, tz_name)
    text = str(raw["dateTime"])
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise invalid(f"Invalid {label} time.", field) from exc
    moment = moment.replace(microsecond=0)  # Google keeps event times to the second
    if moment.tzinfo is None:
        if not tz_name:
            raise required(f"Missing time zone definition for {label} time.", field)
        moment = moment.replace(tzinfo=zone(str(tz_name)))
    elif need_zone and not tz_name:
        raise required(f"Missing time zone definition for {label} time.", field)
    return EventTime(False, None, moment, tz_name)


def check_range(start: EventTime, end: EventTime) -> None:
    """Refuse mixed all-day/timed pairs and empty or negative ranges."""
    if start.all_day != end.all_day:
        raise invalid("Invalid start time.", "start")
    if start.all_day:
        assert start.day is not None
        assert end.day is not None
        ok = end.day > start.day
    else:
        assert start.moment is not None
        assert end.moment is not None
        ok = end.moment >= start.moment
    if not ok:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.", location="end")


def day_span(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the UTC instants at which ``day`` begins and ends in ``tz``."""
    begin = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = begin.replace(tzinfo=None) + timedelta(days=1)
    return begin.astimezone(UTC), end.replace(tzinfo=tz).astimezone(UTC)
