"""The content filters of ``events.list``: ``q``, ``iCalUID``, extended properties and event types.

``q`` matches, case-insensitively, a part of the summary, description, location, attendees'
and organiser's addresses and names, or the working location's labels; an extended-property
constraint is ``key=value`` (private ones are the calendar's own copy's, shared ones the
event's); ``eventTypes`` keeps the listed types only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from emulator.errors import invalid
from emulator.model import EventCopy


def _props(args: MultiDict[str, str], name: str) -> list[tuple[str, str]]:
    out = []
    for item in args.getlist(name):
        key, sep, value = item.partition("=")
        if not sep:
            raise invalid(f"Invalid value for: {name}", name)
        out.append((key, value))
    return out


@dataclass(frozen=True, slots=True)
class Filters:
    """The content filters of one ``events.list`` request, parsed once."""

    q: str | None
    ical_uid: str | None
    private: tuple[tuple[str, str], ...]
    shared: tuple[tuple[str, str], ...]
    types: frozenset[str]

    @classmethod
    def of(cls, args: MultiDict[str, str]) -> Filters:
        """Parse the filters (400 for a malformed extended-property constraint)."""
        q = args.get("q")
        return cls(
            q.lower() if q else None,
            args.get("iCalUID") or None,
            tuple(_props(args, "privateExtendedProperty")),
            tuple(_props(args, "sharedExtendedProperty")),
            frozenset(args.getlist("eventTypes")),
        )

    @property
    def any(self) -> bool:
        """Whether any filter is set."""
        return bool(self.q or self.ical_uid or self.private or self.shared or self.types)


def _haystack(data: dict[str, Any]) -> list[str]:
    hay = [str(data.get(k, "")) for k in ("summary", "description", "location")]
    hay += [str(a.get("email", "")) + " " + str(a.get("displayName", "")) for a in data.get("attendees", [])]
    organizer = data.get("organizer") or {}
    hay.append(f"{organizer.get('email', '')} {organizer.get('displayName', '')}")
    where = data.get("workingLocationProperties") or {}
    office, custom = where.get("officeLocation") or {}, where.get("customLocation") or {}
    return hay + [str(office.get(k, "")) for k in ("buildingId", "deskId", "label")] + [str(custom.get("label", ""))]


def matches(copy: EventCopy, filters: Filters) -> bool:
    """Whether ``copy`` passes every filter set (``q`` over its text fields, case-insensitively)."""
    data = copy.event.data
    if filters.q and not any(filters.q in part.lower() for part in _haystack(data)):
        return False
    if filters.ical_uid and data.get("iCalUID") != filters.ical_uid:
        return False
    private = (copy.local.get("extendedProperties") or {}).get("private") or {}
    shared = (data.get("extendedProperties") or {}).get("shared") or {}
    if any(private.get(k) != v for k, v in filters.private):
        return False
    if any(shared.get(k) != v for k, v in filters.shared):
        return False
    return not filters.types or data.get("eventType", "default") in filters.types
