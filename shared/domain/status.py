"""Presence from Calendar status: one precedence rule over Google's status event types.

Precedence, highest first: out of office (the Gmail vacation responder or an ``outOfOffice``
event) > focus time (``focusTime`` → ``do_not_disturb``) > an accepted meeting in progress
(``in_meeting``) > ``available``. The working location (``workingLocation``) never decides the
state; it is shown beside it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import msgspec


class StatusState(StrEnum):
    """The state a principal shows, derived from Calendar status and the vacation responder."""

    AVAILABLE = "available"
    IN_MEETING = "in_meeting"
    DO_NOT_DISTURB = "do_not_disturb"
    OUT_OF_OFFICE = "out_of_office"


class LocationKind(StrEnum):
    """Where a ``workingLocation`` event says the person works."""

    HOME = "home"
    OFFICE = "office"
    CUSTOM = "custom"


class WorkingLocation(msgspec.Struct, frozen=True):
    """A working location and its label (building/desk for an office, free text for custom)."""

    kind: LocationKind
    label: str = ""

    @property
    def display(self) -> str:
        """What a person or room display shows beside the state."""
        if self.kind is LocationKind.HOME:
            return "Home"
        if self.label:
            return self.label if self.kind is LocationKind.CUSTOM else f"Office · {self.label}"
        return "Office" if self.kind is LocationKind.OFFICE else ""


class StatusBlock(msgspec.Struct, frozen=True):
    """One status interval from the primary calendar: its kind and ``[start, end)``."""

    state: StatusState
    start: datetime
    end: datetime

    def covers(self, now: datetime) -> bool:
        """True while ``now`` is inside the block (the end is exclusive)."""
        return self.start <= now < self.end


class StatusView(msgspec.Struct, frozen=True):
    """The state shown now, until when it holds (None: open-ended), and the working location."""

    state: StatusState
    until: datetime | None = None
    location: WorkingLocation | None = None


_RANK = {
    StatusState.OUT_OF_OFFICE: 3,
    StatusState.DO_NOT_DISTURB: 2,
    StatusState.IN_MEETING: 1,
    StatusState.AVAILABLE: 0,
}


def resolve(
    now: datetime,
    blocks: tuple[StatusBlock, ...],
    *,
    vacation: bool = False,
    location: WorkingLocation | None = None,
) -> StatusView:
    """The state at ``now``: the highest-ranked block covering it (the vacation responder is OOO).

    Among blocks of the winning state the latest end is reported as ``until``; the vacation
    responder is open-ended. The working location rides along unchanged.
    """
    if vacation:
        return StatusView(StatusState.OUT_OF_OFFICE, None, location)
    current = [b for b in blocks if b.covers(now) and b.state is not StatusState.AVAILABLE]
    if not current:
        return StatusView(StatusState.AVAILABLE, None, location)
    best = max(_RANK[b.state] for b in current)
    winners = [b for b in current if _RANK[b.state] == best]
    return StatusView(winners[0].state, max(b.end for b in winners), location)


_CODES = {"homeOffice": LocationKind.HOME, "officeLocation": LocationKind.OFFICE, "customLocation": LocationKind.CUSTOM}


def location_from_api(props: object) -> WorkingLocation | None:
    """Map Google's ``workingLocationProperties`` to a working location (None when unusable)."""
    if not isinstance(props, dict):
        return None
    kind = _CODES.get(str(props.get("type") or ""))
    if kind is None:
        return None
    detail = props.get(str(props.get("type")))
    label = str(detail.get("label") or "") if isinstance(detail, dict) else ""
    return WorkingLocation(kind, "" if kind is LocationKind.HOME else label)


def encode_location(location: WorkingLocation | None) -> str:
    """A working location as one stored string, ``kind|label`` ("" for none)."""
    return "" if location is None else f"{location.kind.value}|{location.label}"


def decode_location(code: str) -> WorkingLocation | None:
    """The working location an ``encode_location`` string names (None for "" or an unknown kind)."""
    kind, _, label = code.partition("|")
    try:
        return WorkingLocation(LocationKind(kind), label) if kind else None
    except ValueError:
        return None
