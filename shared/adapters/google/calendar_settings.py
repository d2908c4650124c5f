"""Calendar v3 settings resources: a user setting (``settings.get``) and a calendar's name and zone (``calendars.get``).

Only read (validation learns the locale, the time zone and a room's name); nothing is written back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec


class CalendarAbout(msgspec.Struct, frozen=True):
    """A calendar's name and time zone, None where Google gave none."""

    name: str | None
    time_zone: str | None


def setting_from_api(answer: Any) -> str:
    """The ``value`` of a Setting resource ("" when there is none)."""
    return str(answer.get("value") or "") if isinstance(answer, Mapping) else ""


def about_from_api(answer: Any) -> CalendarAbout:
    """The ``summary`` (at most 200 characters) and ``timeZone`` of a Calendar resource."""
    found: Mapping[str, Any] = answer if isinstance(answer, Mapping) else {}
    return CalendarAbout(str(found.get("summary") or "")[:200] or None, str(found.get("timeZone") or "") or None)
