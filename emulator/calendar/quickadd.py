"""Parsing ``events.quickAdd`` text: "<title> <weekday|date> <time>[-<time>] [at <location>]".

Understood dates: ``today``, ``tomorrow``, weekday names (the next such day, today included),
``YYYY-MM-DD``, ``Mar 5`` / ``5 March``. Times: ``9am``, ``9:30``, ``14:00``, ``2pm``,
ranges ``9-10am``, ``14:00-15:30``, ``2pm to 3pm``. No time gives an all-day event; no end
gives one hour. Everything is in the user's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_T = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_RANGE = re.compile(rf"(?<![\d\-/])\b(?:from\s+)?{_T}\s*(?:-|\u2013|to|until)\s*{_T}(?![\w:\-/])", re.I)
_SINGLE = re.compile(
    r"(?<![\d\-/])\b(?:at\s+)?(?:(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|(\d{1,2}):(\d{2}))(?![\w:])",
    re.I,
)
_ISO = re.compile(r"\b(?:on\s+)?(\d{4})-(\d{2})-(\d{2})\b")
_REL = re.compile(r"\b(today|tomorrow)\b", re.I)
_WEEKDAY = re.compile(r"\b(?:on\s+|next\s+|this\s+)?(" + "|".join(_DAYS) + r")[a-z]*\b", re.I)
_MONTH_DAY = re.compile(r"\b(?:on\s+)?(" + "|".join(_MONTHS) + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_DAY_MONTH = re.compile(r"\b(?:on\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")[a-z]*\b", re.I)
_AT = re.compile(r"\s+at\s+", re.I)


def _clock(hour: str, minute: str | None, meridiem: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    mer = (meridiem or "").replace(".", "").lower()
    if mer == "pm" and h < 12:
        h += 12
    elif mer == "am" and h == 12:
        h = 0
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError("bad time")
    return time(h, m)


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end() :]


def _location(text: str) -> tuple[str, str | None]:
    for match in reversed(list(_AT.finditer(text))):
        tail = text[match.end() :].strip()
        if tail and not _SINGLE.match("at " + tail) and not _RANGE.match(tail):
            return text[: match.start()], tail
    return text, None


def _date(text: str, today: date) -> tuple[str, date | None]:
    match = _ISO.search(text)
    if match:
        return _cut(text, match), date(int(match[1]), int(match[2]), int(match[3]))
    match = _REL.search(text)
    if match:
        offset = 0 if match[1].lower() == "today" else 1
        return _cut(text, match), today + timedelta(days=offset)
    match = _MONTH_DAY.search(text) or _DAY_MONTH.search(text)
    if match:
        first, second = match[1], match[2]
        month_name, day = (first, second) if not first.isdigit() else (second, first)
        candidate = date(today.year, _MONTHS.index(month_name[:3].lower()) + 1, int(day))
        if candidate < today:
            candidate = candidate.replace(year=today.year + 1)
        return _cut(text, match), candidate
    match = _WEEKDAY.search(text)
    if match:
        wanted = _DAYS.index(match[1][:3].lower())
        return _cut(text, match), today + timedelta(days=(wanted - today.weekday()) % 7)
    return text, None


def _times(text: str) -> tuple[str, time | None, time | None]:
    match = _RANGE.search(text)
    if match:
        end = _clock(match[4], match[5], match[6])
        start_mer = match[3]
        start = _clock(match[1], match[2], start_mer)
        if start_mer is None and match[6]:
            start = _clock(match[1], match[2], match[6])
            if start > end:
                start = _clock(match[1], match[2], "am")
        return _cut(text, match), start, end
    match = _SINGLE.search(text)
    if match:
        start = _clock(match[1], match[2], match[3]) if match[1] is not None else _clock(match[4], match[5], None)
        return _cut(text, match), start, None
    return text, None, None


def parse(text: str, tz_name: str, now: datetime) -> dict[str, Any]:
    """Return an event body (summary, start, end, location) for quick-add ``text``."""
    tz = ZoneInfo(tz_name)
    today = now.astimezone(tz).date()
    rest, start_time, end_time = _times(text.strip())
    rest, day = _date(rest, today)
    rest, location = _location(re.sub(r"\s+", " ", rest).strip())
    day = day or today
    summary = re.sub(r"\s+", " ", rest).strip(" ,;-")
    summary = re.sub(r"\s+(on|at|from)$", "", summary, flags=re.I) or text.strip()
    body: dict[str, Any] = {"summary": summary}
    if location:
        body["location"] = location
    if start_time is None:
        body["start"] = {"date": day.isoformat()}
        body["end"] = {"date": (day + timedelta(days=1)).isoformat()}
        return body
    start = datetime.combine(day, start_time, tzinfo=tz)
    if end_time is None:
        end = start + timedelta(hours=1)
    else:
        end = datetime.combine(day, end_time, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
    body["start"] = {"dateTime": start.isoformat(timespec="seconds"), "timeZone": tz_name}
    body["end"] = {"dateTime": end.isoformat(timespec="seconds"), "timeZone": tz_name}
    return body
