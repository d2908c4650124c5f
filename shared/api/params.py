"""Path, query and header parameters of both APIs as pydantic models (the OpenAPI document's parameters).

Their fields are strings, as a URL carries them; the views check ranges and choices themselves
with the messages the APIs have always answered.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

Text = Annotated[str | None, WithJsonSchema({"type": "string"})]
Days = Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 62})]
Kind = Annotated[str | None, WithJsonSchema({"enum": ["person", "room"]})]
State = Annotated[str | None, WithJsonSchema({"enum": ["pending", "validating", "active", "error", "deactivated"]})]


class _Params(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class EventPath(_Params):
    """``{event_id}``: a meeting of mine."""

    event_id: str = Field(min_length=1)


class EmailPath(_Params):
    """``{email}``: a person of my org."""

    email: str = Field(min_length=1)


class DevicePath(_Params):
    """``{device_id}``: the calling room device."""

    device_id: str = Field(min_length=1)


class RangeQuery(_Params):
    """The range of a meeting list."""

    from_: Text = Field(
        None, alias="from", description="Start: RFC 3339 time or a date (midnight in my zone); default today."
    )
    to: Text = Field(None, description="End (exclusive): RFC 3339 time or a date; default `days` days after `from`.")
    days: Days = Field(None, description="Length of the range in days when `to` is not given (1 to 62; default 1).")


class PeopleQuery(_Params):
    """A search of my org's people."""

    q: Text = Field(None, description="Part of an address or name (up to 20 matches); all people when empty.")
    email: Text = Field(None, description="An address to look up (repeat for up to 100); overrides `q`.")


class StreamHeader(_Params):
    """Where a stream resumes."""

    last_event_id: Text = Field(None, alias="Last-Event-ID", description="Resume after this event id.")


class OrgPath(_Params):
    """``{org}``: an org."""

    org: str = Field(description="The org id.")


class PrincipalPath(OrgPath):
    """``{org}`` and ``{email}``: a person or a room of the org."""

    email: str = Field(json_schema_extra={"format": "email"})


class DeviceOfRoomPath(PrincipalPath):
    """``{org}``, ``{email}`` and ``{device_id}``: a device of a room."""

    device_id: str


class PrincipalQuery(_Params):
    """Which principals to list."""

    kind: Kind = None
    state: State = None
