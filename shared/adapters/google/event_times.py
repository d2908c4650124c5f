"""Calendar v3 times on the wire: an event's ``start`` / ``end`` / ``originalStartTime`` and RFC 3339 text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import msgspec

from shared.clock import utc


def rfc3339(value: datetime) -> str:
    """An aware datetime as Google's RFC 3339 text in UTC."""
    return utc(value).isoformat().replace("+00:00", "Z")


class EventTime(msgspec.Struct, frozen=True):
    """``start`` / ``end`` / ``originalStartTime``: an instant, or a date for all-day events."""

    date_time: datetime | None = None
    date: date | None = None
    time_zone: str | None = None

    @property
    def all_day(self) -> bool:
        """True for a date without a time."""
        return self.date is not None and self.date_time is None

    @property
    def instant(self) -> datetime | None:
        """The instant (an all-day date: its midnight in UTC)."""
        if self.date_time is not None:
            return self.date_time
        if self.date is not None:
            return datetime(self.date.year, self.date.month, self.date.day, tzinfo=UTC)
        return None


def _parts(value: Any) -> tuple[datetime | None, date | None, str | None] | None:
    """An event time object's instant, date and zone, as written (None when it is missing)."""
    if not isinstance(value, dict | Mapping):
        return None
    when, day = value.get("dateTime"), value.get("date")
    return (
        utc(datetime.fromisoformat(when)) if isinstance(when, str) and when else None,
        date.fromisoformat(day) if isinstance(day, str) and day else None,
        value.get("timeZone") or None,
    )


def time_from_api(value: Any) -> EventTime | None:
    """Read an event time object (None when it is missing)."""
    parts = _parts(value)
    return None if parts is None else EventTime(*parts)


def instant_from_api(value: Any) -> tuple[datetime | None, str | None, bool]:
    """An event time object as ``(instant, time zone, all day)``: ``EventTime``'s reading without the object."""
    parts = _parts(value)
    if parts is None:
        return None, None, False
    when, day, zone = parts
    if when is not None:
        return when, zone, False
    if day is not None:
        return datetime.combine(day, time(), UTC), zone, True
    return None, zone, False


def time_to_api(value: EventTime, base: Any) -> dict[str, Any]:
    """Write an event time over what the resource held (other keys of ``base`` kept)."""
    out = dict(base) if isinstance(base, Mapping) else {}
    out.pop("dateTime", None)
    out.pop("date", None)
    if value.date_time is not None:
        out["dateTime"] = rfc3339(value.date_time)
    elif value.date is not None:
        out["date"] = value.date.isoformat()
    if value.time_zone:
        out["timeZone"] = value.time_zone
    else:
        out.pop("timeZone", None)
    return out
