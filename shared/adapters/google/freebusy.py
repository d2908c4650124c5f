"""The Calendar v3 ``freebusy.query`` request body and answer (a query: nothing is read back and written)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.adapters.google.event_times import rfc3339
from shared.clock import utc
from shared.ports.calendar import Busy


def query_body(calendar_ids: Sequence[str], time_min: datetime, time_max: datetime) -> dict[str, Any]:
    """The request: the window and one item per calendar (a person's primary calendar is their address)."""
    return {"timeMin": rfc3339(time_min), "timeMax": rfc3339(time_max), "items": [{"id": i} for i in calendar_ids]}


def busy_from_api(answer: Mapping[str, Any], calendar_ids: Sequence[str]) -> Busy:
    """Busy intervals per calendar asked for (None where Google reports an error or said nothing)."""
    found = answer.get("calendars")
    calendars: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    out: Busy = {}
    for cal_id in calendar_ids:
        entry = calendars.get(cal_id)
        if not isinstance(entry, Mapping) or entry.get("errors"):
            out[cal_id] = None
            continue
        out[cal_id] = tuple(
            (utc(datetime.fromisoformat(b["start"])), utc(datetime.fromisoformat(b["end"])))
            for b in entry.get("busy") or ()
        )
    return out
