"""Request and response models of the app API's people resources: presence, free/busy and delegates.

The meetings' models, the request base and the error model are in ``app_models``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.api.app_models import EMAIL_PATTERN, Email, Strict, is_email, iso
from shared.domain.presence import Presence
from shared.domain.status import decode_location


class AvailabilityIn(Strict):
    """``POST /v1/availability``: busy times of people of my org."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    emails: list[Email] = Field(min_length=1, max_length=50)
    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime

    @model_validator(mode="after")
    def _emails(self) -> AvailabilityIn:
        if not all(is_email(e) for e in self.emails):
            raise ValueError("emails must be email addresses")
        return self


class DelegateIn(Strict):
    """``POST /v1/me/delegates``."""

    email: Email = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    role: Literal["freeBusyReader", "reader", "writer"] = "reader"


class WorkingLocationOut(BaseModel):
    """Where a person works now, from their Calendar working location (shown beside the status)."""

    kind: Literal["home", "office", "custom"]
    label: str
    display: str


class PresenceOut(BaseModel):
    """A person's presence."""

    status: Literal["available", "in_meeting", "do_not_disturb", "out_of_office"]
    message: str
    since: datetime | None
    until: datetime | None
    source: str
    working_location: WorkingLocationOut | None = None


class BusyOut(BaseModel):
    """One busy interval."""

    start: datetime
    end: datetime


class CalendarBusyOut(BaseModel):
    """One person's busy intervals, or an error."""

    busy: list[BusyOut]
    error: str | None


class AvailabilityOut(BaseModel):
    """Busy intervals per person."""

    from_: datetime = Field(alias="from")
    to: datetime
    calendars: dict[str, CalendarBusyOut]


class DelegateOut(BaseModel):
    """A delegate granted access to my calendar."""

    email: str
    role: str
    rule_id: str


def presence_out(presence: Presence) -> dict[str, Any]:
    """A presence as JSON (``PresenceOut``)."""
    return {
        "status": presence.status.value,
        "message": presence.message,
        "since": iso(presence.since),
        "until": iso(presence.until),
        "source": presence.source.value,
        "working_location": _location_out(presence.working_location),
    }


def _location_out(code: str) -> dict[str, str] | None:
    location = decode_location(code)
    if location is None:
        return None
    return {"kind": location.kind.value, "label": location.label, "display": location.display}


def availability_out(
    start: datetime, end: datetime, found: Mapping[str, tuple[tuple[datetime, datetime], ...] | None]
) -> dict[str, Any]:
    """Free/busy as JSON (``AvailabilityOut``)."""
    calendars = {
        email: {
            "busy": [{"start": iso(s), "end": iso(e)} for s, e in busy or ()],
            "error": None if busy is not None else "notFound",
        }
        for email, busy in found.items()
    }
    return {"from": iso(start), "to": iso(end), "calendars": calendars}
