"""The rules every event write passes besides times and attendees: the event type's rules,
conference data, and the auto-decline of invitations a status event covers.

Callers hold ``state.lock``; :mod:`emulator.events` calls these around each insert and change.
"""

from __future__ import annotations

from typing import Any

from emulator.calendar import conference, status_events
from emulator.calendar.event_core import touch
from emulator.model import Calendar, SharedEvent
from emulator.state import EmulatorState


def check_new(calendar: Calendar, data: dict[str, Any], body: dict[str, Any], conference_version: int) -> bool:
    """Validate a new event's type and conference; True when a Meet conference must be created."""
    status_events.check_new(calendar, data)
    return conference.apply({}, body, data, conference_version)


def check_change(
    calendar: Calendar, old: dict[str, Any], new: dict[str, Any], body: dict[str, Any], conference_version: int
) -> bool:
    """Validate an organiser's change; True when a Meet conference must be created."""
    status_events.check_change(calendar, str(old.get("eventType") or "default"), new)
    return conference.apply(old, body, new, conference_version)


def invited(shared: SharedEvent, before: list[dict[str, Any]]) -> set[str]:
    """The users a write adds to the guest list (not the organiser)."""
    old = {str(a.get("email")) for a in before}
    return {str(a.get("email")) for a in shared.data.get("attendees", [])} - old - {shared.organizer_calendar}


def auto_decline(state: EmulatorState, shared: SharedEvent, new_guests: set[str], changed: set[str]) -> None:
    """Decline what status events decline: new guests covered by theirs, and (for a new declining
    status event) the invitations it covers. Runs before the write's copies are touched."""
    status_events.decline_new_invitations(state.calendars, shared, new_guests)
    if shared.data.get("eventType") in status_events.PROPERTIES:
        state.calendars[shared.organizer_calendar].status_ids.add(shared.event_id)
        for other in status_events.declined_by_status(state.calendars, shared):
            for copy in other.copies.values():
                touch(state, copy, changed)


def complete_conference(state: EmulatorState, shared: SharedEvent) -> None:
    """Create the Meet conference a write asked for: a change of its own on every copy."""
    if not conference.pending(shared.data):
        return
    conference.complete(shared.event_id, shared.data)
    changed: set[str] = set()
    for copy in shared.copies.values():
        touch(state, copy, changed)
    state.notify_change(changed)
