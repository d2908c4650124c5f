"""Reading events: ``events.list`` (paging, sync tokens, expansion), ``instances``, free/busy.

Page and sync tokens are opaque base64 strings. A sync token names the calendar, its
invalidation epoch and a change-log position. A page token carries the sort key of the last
item served and the change-log position the first page saw: the next page resumes after that
key, so an event that changes or goes away between two pages shifts no other event out. A full
listing's ``nextSyncToken`` (on the last page only) names the first page's position, so a change
made while paging comes again in the next sync; an incremental listing orders by change-log
position, so an event changed while paging comes again on a later page, and its
``nextSyncToken`` names the position the last page saw. The content filters live in ``filters``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from emulator.calendar.filters import Filters, matches
from emulator.calendar.params import (
    Key,
    bool_arg,
    decode_token,
    encode_token,
    int_arg,
    item_key,
    micros,
    page_of,
    page_slice,
)
from emulator.calendar.recurrence import expansion_of, instance_suffix, instant, is_finite
from emulator.calendar.render import render_copy, render_instance
from emulator.errors import bad_request, full_sync_required, invalid
from emulator.model import Calendar, EventCopy
from emulator.state import EmulatorState
from emulator.timeutil import format_rfc3339, parse_event_time, query_time, zone

SYNC_FORBIDDEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
HORIZON = timedelta(days=730)
_PAGE_ARGS = frozenset({"pageToken", "maxResults", "maxAttendees"})


Candidate = tuple[Any, EventCopy, datetime | None]


def series_window(
    copy: EventCopy, tz: Any, start: datetime | None, end: datetime | None, *, end_inclusive: bool = False
) -> list[datetime]:
    """Original starts of a master's instances in the window (from its cached expansion)."""
    shared = copy.event
    expansion = expansion_of(shared.expansions, shared.start, shared.data["recurrence"], tz)
    return expansion.window(shared.end_utc - shared.start_utc, start, end, end_inclusive=end_inclusive)


def expand(
    calendar: Calendar,
    copy: EventCopy,
    start: datetime | None,
    end: datetime | None,
    tz: Any,
    *,
    end_inclusive: bool = False,
) -> list[Candidate]:
    """Return the unmodified instances of a master copy in the window (overrides skipped)."""
    shared = copy.event
    out: list[Candidate] = []
    for original in series_window(copy, tz, start, end, end_inclusive=end_inclusive):
        if f"{shared.event_id}_{instance_suffix(original)}" not in calendar.copies:
            out.append((instant(original, tz), copy, original))
    return out


def series_end(state: EmulatorState, copy: EventCopy, time_max: datetime | None) -> datetime | None:
    """Where to stop expanding: ``timeMax``, else nowhere for a finite series, else two years out."""
    shared = copy.event
    if time_max is not None:
        return time_max
    if is_finite(shared.data["recurrence"]):
        return None
    return max(state.now(), shared.start_utc) + HORIZON


def overlaps(copy: EventCopy, start: datetime | None, end: datetime | None, *, end_inclusive: bool = False) -> bool:
    """Whether a non-recurring copy ends after ``start`` (at or after, with ``end_inclusive``)
    and starts before ``end``: Google's bounds on an event's end and start."""
    shared = copy.event
    if end is not None and shared.start_utc >= end:
        return False
    if start is None:
        return True
    return shared.end_utc >= start if end_inclusive else shared.end_utc > start


def list_events(state: EmulatorState, calendar: Calendar, args: MultiDict[str, str], role: str) -> dict[str, Any]:
    """Answer ``events.list`` for ``calendar``."""
    max_results = int_arg(args, "maxResults", 250, 1, 2500)
    single = bool_arg(args, "singleEvents")
    order_by = args.get("orderBy")
    if order_by not in (None, "startTime", "updated"):
        raise invalid("Invalid value for: orderBy", "orderBy")
    if order_by == "startTime" and not single:
        raise bad_request("The requested ordering is not available for the particular query.")
    page = page_of(args, calendar)
    tz = zone(calendar.time_zone)
    sync_token = args.get("syncToken")
    candidates: list[Candidate] = []
    if sync_token:
        for name in SYNC_FORBIDDEN:
            if args.get(name) is not None:
                raise invalid(f"Sync token cannot be used with {name}.", name)
        try:
            raw = decode_token(sync_token)
            since, ok = int(raw["s"]), raw["c"] == calendar.calendar_id
            ok = ok and int(raw["e"]) == calendar.epoch and since <= calendar.seq
        except (ValueError, KeyError, TypeError) as exc:
            raise full_sync_required() from exc
        if not ok or state.faults.chance("calendar.events.list", "syncTokenInvalidRate"):
            raise full_sync_required()
        types = frozenset(args.getlist("eventTypes"))  # the type filter holds for incremental listings too
        for copy in calendar.changed_since(since):
            if types and copy.event.data.get("eventType", "default") not in types:
                continue
            if single and copy.event.recurring and not copy.cancelled:
                end = series_end(state, copy, None)
                candidates += [(copy.seq, c, o) for _, c, o in expand(calendar, copy, None, end, tz)]
            else:
                candidates.append((copy.seq, copy, None))
        key = _by_position
        candidates.sort(key=key)
    else:
        time_min = query_time(args.get("timeMin"), "timeMin")
        time_max = query_time(args.get("timeMax"), "timeMax")
        updated_min = query_time(args.get("updatedMin"), "updatedMin")
        show_deleted = bool_arg(args, "showDeleted") or updated_min is not None
        filters = Filters.of(args)
        cache_key = (
            calendar.calendar_id,
            calendar.seq,
            calendar.epoch,
            calendar.time_zone,
            int(state.now().timestamp() // 3600),
            tuple(sorted((k, tuple(v)) for k, v in args.lists() if k not in _PAGE_ARGS)),
        )
        cached = state.list_cache.get(cache_key)
        candidates = list(cached) if cached is not None else []
        for copy in () if cached is not None else calendar.copies.values():
            if copy.cancelled and not show_deleted:
                continue
            if updated_min is not None and copy.updated < updated_min:
                continue
            if filters.any and not matches(copy, filters):
                continue
            shared = copy.event
            if shared.recurring:
                end = series_end(state, copy, time_max)
                if single and not copy.cancelled:
                    candidates += expand(calendar, copy, time_min, end, tz)
                elif single or series_window(copy, tz, time_min, end):
                    candidates.append((shared.start_utc, copy, None))
            elif overlaps(copy, time_min, time_max):
                candidates.append((shared.start_utc, copy, None))
        key = _by_updated if order_by == "updated" else _by_start
        if cached is None:
            candidates.sort(key=key)
            if len(state.list_cache) >= 16:
                state.list_cache.pop(next(iter(state.list_cache)))
            state.list_cache[cache_key] = tuple(candidates)
    chunk, next_page = page_slice(candidates, key, page, max_results)
    max_attendees = args.get("maxAttendees")
    out = _envelope(state, calendar, role)
    out["items"] = [_render(c, o, max_attendees) for _, c, o in chunk]
    if next_page is not None:
        out["nextPageToken"] = next_page
    else:
        position = calendar.seq if sync_token else page.snapshot
        out["nextSyncToken"] = encode_token({"c": calendar.calendar_id, "e": calendar.epoch, "s": position})
    return out


def _by_position(c: Candidate) -> Key:
    return item_key(int(c[0]), c[1].event.event_id, c[2])


def _by_start(c: Candidate) -> Key:
    return item_key(micros(c[0]), c[1].event.event_id, c[2])


def _by_updated(c: Candidate) -> Key:
    return item_key(micros(c[1].updated), c[1].event.event_id, c[2])


def _render(copy: EventCopy, original: datetime | None, max_attendees: str | None) -> dict[str, Any]:
    item = render_copy(copy) if original is None else render_instance(copy, original)
    if max_attendees and max_attendees.isdigit() and "attendees" in item:
        limit = int(max_attendees)
        if len(item["attendees"]) > limit:
            item["attendees"] = item["attendees"][:limit]
            item["attendeesOmitted"] = True
    return item


def _envelope(state: EmulatorState, calendar: Calendar, role: str) -> dict[str, Any]:
    updated = calendar.last_updated or state.now()
    return {
        "kind": "calendar#events",
        "etag": f'"{calendar.seq}{calendar.epoch}"',
        "summary": calendar.calendar_id,
        "description": "",
        "updated": format_rfc3339(updated),
        "timeZone": calendar.time_zone,
        "accessRole": role,
        "defaultReminders": [{"method": "popup", "minutes": 10}] if role == "owner" else [],
    }


def list_instances(
    state: EmulatorState,
    calendar: Calendar,
    master: EventCopy,
    args: MultiDict[str, str],
    role: str,
) -> dict[str, Any]:
    """Answer ``events.instances`` for a master copy (every instance of a finite series when no
    ``timeMax`` is given; ``timeMin`` bounds an instance's end inclusively, as documented)."""
    max_results = int_arg(args, "maxResults", 250, 1, 2500)
    time_min = query_time(args.get("timeMin"), "timeMin")
    time_max = query_time(args.get("timeMax"), "timeMax")
    show_deleted = bool_arg(args, "showDeleted")
    page = page_of(args, calendar)
    tz = zone(calendar.time_zone)
    shared = master.event
    # (original start instant, copy, original local start or None for a stored copy)
    candidates: list[tuple[datetime, EventCopy, datetime | None]] = []
    if not shared.recurring:
        candidates.append((shared.start_utc, master, None))
    elif not master.cancelled or show_deleted:
        end = series_end(state, master, time_max)
        candidates += expand(calendar, master, time_min, end, tz, end_inclusive=True)
        for copy in calendar.exceptions_of(shared.event_id):
            if copy.cancelled and not show_deleted:
                continue
            if overlaps(copy, time_min, time_max, end_inclusive=True):
                original = parse_event_time(copy.event.data.get("originalStartTime"), "originalStartTime")
                candidates.append((original.as_utc(tz), copy, None))
    original_start = args.get("originalStart")
    if original_start:
        wanted = query_time(original_start, "originalStart")
        candidates = [c for c in candidates if c[0] == wanted]
    candidates.sort(key=_by_start)
    chunk, next_page = page_slice(candidates, _by_start, page, max_results)
    out = _envelope(state, calendar, role)
    out["items"] = [_render(c, o, args.get("maxAttendees")) for _, c, o in chunk]
    if next_page is not None:
        out["nextPageToken"] = next_page
    return out
