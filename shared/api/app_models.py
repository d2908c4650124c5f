"""Models of the app API (pydantic) shared by every resource and of meetings, and the mappers from domain values.

The request base (``Strict``), the one error model of both APIs (``ErrorOut``) and the meetings'
models live here; presence, free/busy and delegates in ``app_people_models``. Requests are
validated strictly (unknown fields refused, bounded sizes); responses are built by the ``*_out``
functions so the OpenAPI document (generated from these models) and the wire format cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.domain.meeting_rows import ListedRow
from shared.domain.meetings import JoinTarget
from shared.services.meetings_app import MeetingItem

EMAIL_PATTERN = r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
Email = str


class Strict(BaseModel):
    """Base of request models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ScheduleIn(Strict):
    """``POST /v1/me/meetings``: ``text`` alone (quickAdd), or title, start, end and the rest (insert)."""

    text: str | None = Field(default=None, min_length=1, max_length=1000)
    title: str = Field(default="", max_length=1024)
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    time_zone: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$")
    attendees: list[Email] = Field(default_factory=list, max_length=100)
    location: str = Field(default="", max_length=1024)
    keyword: str | None = Field(default=None, max_length=64, pattern=r"^@\S+$")
    description: str = Field(default="", max_length=8192)

    @model_validator(mode="after")
    def _one_form(self) -> ScheduleIn:
        if self.text is not None:
            if self.start is not None or self.end is not None or self.attendees:
                raise ValueError("give either text (quickAdd) or start/end/attendees (insert), not both")
            if not self.text.strip():
                raise ValueError("text must not be blank")
            return self
        if self.start is None or self.end is None:
            raise ValueError("start and end are required (or give text)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        for email in self.attendees:
            if not is_email(email):
                raise ValueError("attendees must be email addresses")
        return self


def is_email(value: str) -> bool:
    """Whether ``value`` looks like an email address (length and pattern)."""
    return 3 <= len(value) <= 254 and re.match(EMAIL_PATTERN, value) is not None


class RsvpIn(Strict):
    """``POST /v1/me/meetings/{id}/rsvp``."""

    response: Literal["accepted", "declined", "tentative"]


class SignInIn(Strict):
    """``POST /app/dev/sign-in``: the emulator user to sign in as."""

    email: Email = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)


# ---------------------------------------------------------------- responses


class ErrorBody(BaseModel):
    """What went wrong: a machine-readable code and a message for people."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """Every error answer of both APIs (/v1 and /admin/v1), whatever the entry point."""

    error: ErrorBody


class JoinTargetOut(BaseModel):
    """Somewhere to join."""

    kind: str
    uri: str
    label: str


class AttendeeOut(BaseModel):
    """An invitee and their answer."""

    email: str
    response_status: str
    is_room: bool
    optional: bool
    display_name: str | None


class JoinButtonOut(BaseModel):
    """Whether the join button shows now, and from when it shows."""

    eligible: bool
    at: datetime


class MeetingOut(BaseModel):
    """A meeting on my (or the device's room's) calendar."""

    id: str
    title: str
    start: datetime
    end: datetime
    time_zone: str | None
    all_day: bool
    status: str
    organizer: str | None
    attendees: list[AttendeeOut]
    location: str
    agenda: str
    join_target: JoinTargetOut | None
    join_targets: list[JoinTargetOut]
    join_button: JoinButtonOut
    my_response: str | None
    series_id: str | None
    visibility: str
    details_hidden: bool


class MeetingListOut(BaseModel):
    """Meetings in a range, with the viewer's time zone and the service's current time."""

    from_: datetime = Field(alias="from")
    to: datetime
    now: datetime
    time_zone: str
    meetings: list[MeetingOut]


def iso(value: datetime | None) -> str | None:
    """RFC 3339 text in UTC."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def target_out(target: JoinTarget | None) -> dict[str, str] | None:
    """A join target as JSON."""
    return None if target is None else {"kind": target.kind.value, "uri": target.uri, "label": target.label}


def meeting_out(item: MeetingItem) -> dict[str, Any]:
    """A meeting as JSON (``MeetingOut``)."""
    m = item.meeting
    return {
        "id": m.event_id,
        "title": m.title,
        "start": iso(m.start),
        "end": iso(m.end),
        "time_zone": m.time_zone,
        "all_day": m.all_day,
        "status": m.status.value,
        "organizer": m.organizer,
        "attendees": [
            {
                "email": a.email,
                "response_status": a.response_status.value,
                "is_room": a.is_room,
                "optional": a.optional,
                "display_name": a.display_name,
            }
            for a in m.attendees
        ],
        "location": m.location,
        "agenda": m.agenda,
        "join_target": target_out(m.primary_join_target),
        "join_targets": [target_out(t) for t in m.join_targets],
        "join_button": {"eligible": item.join_button, "at": iso(item.join_at)},
        "my_response": item.my_response.value if item.my_response else None,
        "series_id": m.series_id,
        "visibility": m.visibility,
        "details_hidden": item.details_hidden,
    }


def row_out(item: ListedRow) -> dict[str, Any]:
    """A listed meeting row as JSON: the same object ``meeting_out`` makes of the same meeting."""
    m, hidden = item.row, item.details_hidden
    targets = [{"kind": t[0], "uri": t[1], "label": t[2]} for t in m.targets]
    return {
        "id": m.event_id,
        "title": "" if hidden else m.title,
        "start": iso(m.start),
        "end": iso(m.end),
        "time_zone": m.time_zone,
        "all_day": m.all_day,
        "status": m.status,
        "organizer": None if hidden else m.organizer,
        "attendees": []
        if hidden
        else [
            {"email": a[0], "response_status": a[1], "is_room": a[2], "optional": a[4], "display_name": a[5]}
            for a in m.attendees
        ],
        "location": "" if hidden else m.location,
        "agenda": "" if hidden else m.agenda,
        "join_target": targets[0] if targets else None,
        "join_targets": targets,
        "join_button": {"eligible": item.join_button, "at": iso(item.join_at)},
        "my_response": item.my_response,
        "series_id": m.series_id,
        "visibility": m.visibility,
        "details_hidden": hidden,
    }
