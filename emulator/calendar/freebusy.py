"""Free/busy: the busy intervals of a calendar for ``freebusy.query``."""

from __future__ import annotations

from datetime import datetime

from emulator.calendar.listing import expand, overlaps
from emulator.model import Calendar
from emulator.state import EmulatorState
from emulator.timeutil import zone


def busy_intervals(
    state: EmulatorState, calendar: Calendar, time_min: datetime, time_max: datetime
) -> list[tuple[datetime, datetime]]:
    """Return merged busy intervals: opaque, not cancelled, not declined by the owner."""
    tz = zone(calendar.time_zone)
    spans: list[tuple[datetime, datetime]] = []
    for copy in calendar.copies.values():
        shared = copy.event
        if copy.cancelled:
            continue
        transparency = copy.local.get("transparency", shared.data.get("transparency"))
        if transparency == "transparent":
            continue
        if any(
            a.get("email") == calendar.calendar_id and a.get("responseStatus") == "declined"
            for a in shared.data.get("attendees", [])
        ):
            continue
        length = shared.end_utc - shared.start_utc
        if shared.recurring:
            for begin, _, _ in expand(calendar, copy, time_min, time_max, tz):
                spans.append((begin, begin + length))
        elif overlaps(copy, time_min, time_max):
            spans.append((shared.start_utc, shared.end_utc))
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in sorted(spans):
        begin, end = max(begin, time_min), min(end, time_max)
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged
