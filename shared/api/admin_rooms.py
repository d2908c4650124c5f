"""The admin API's room-release routes: policies, what became of each room meeting, and the report.

``GET|PUT /admin/v1/orgs/{org}/room-release`` (the org's default, ``{"minutes": 10}`` or null: off),
``GET|PUT .../principals/{email}/room-release`` (the room's override; ``{"inherit": true}`` drops it),
``GET .../principals/{email}/room-meetings?from=YYYY-MM-DD&days=N`` (each meeting's outcome) and
``GET /admin/v1/orgs/{org}/room-report?from=YYYY-MM-DD&days=N`` (counts per room and day).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from shared.api.admin_routing import admin_op
from shared.api.http import respond
from shared.api.params import OrgPath, PrincipalPath
from shared.domain.rooms import MAX_RELEASE_MINUTES, OutcomeRecord, ReleasePolicy, policy_of_minutes
from shared.errors import InvalidInput
from shared.ports.clock import Clock
from shared.services.rooms import RoomService

ORG = "/admin/v1/orgs/<org>"
ROOM = f"{ORG}/principals/<email>"


class ReleaseIn(BaseModel):
    """A release policy: minutes after the start without a check-in (null: never), or inherit the org's."""

    model_config = ConfigDict(extra="forbid")
    minutes: int | None = Field(default=None, ge=1, le=MAX_RELEASE_MINUTES)
    inherit: bool = False


class OrgReleaseOut(BaseModel):
    """The org's default release policy (``minutes`` null: off)."""

    minutes: int | None


class RoomReleaseOut(BaseModel):
    """A room's override (if any) and the policy in effect."""

    override: bool
    override_minutes: int | None
    minutes: int | None


class RoomMeetingOut(BaseModel):
    """What became of one of the room's meetings."""

    event_id: str
    outcome: str
    day: str
    start: datetime
    at: datetime
    device_id: str | None
    detail: str | None


class RoomMeetingsOut(BaseModel):
    """A room's meetings with their outcomes."""

    meetings: list[RoomMeetingOut]


class RoomDayOut(BaseModel):
    """One room's counts on one day."""

    room: str
    day: str
    checked_in: int
    released: int
    exempt: int
    no_policy: int
    failed: int


class RoomReportOut(BaseModel):
    """Counts per room and day."""

    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from")
    days: int
    rooms: list[RoomDayOut]


def _minutes(policy: ReleasePolicy | None) -> int | None:
    return None if policy is None else policy.minutes


def _range(args: Mapping[str, str], clock: Clock) -> tuple[date, int]:
    raw, days = args.get("from"), args.get("days") or "1"
    try:
        first = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InvalidInput("from must be a date (YYYY-MM-DD)") from None
    if not days.isdigit() or len(days) > 3:
        raise InvalidInput("days must be a whole number from 1 to 62")
    if first is None:
        first = clock.now().date()
    return first, int(days)


def outcome_view(record: OutcomeRecord) -> dict[str, Any]:
    """The JSON form of one room meeting's outcome."""
    return {
        "event_id": record.event_id,
        "outcome": record.outcome.value,
        "day": record.day,
        "start": record.start,
        "at": record.at,
        "device_id": record.device_id,
        "detail": record.detail,
    }


class RangeQuery(BaseModel):
    """A range of days: ``from`` (YYYY-MM-DD, default today) and ``days`` (default 1)."""

    model_config = ConfigDict(populate_by_name=True)
    from_: str | None = Field(None, alias="from", description="First day (YYYY-MM-DD); default today.")
    days: str | None = Field(None, description="How many days (default 1).")


def _org_release(rooms: RoomService, org_id: str, body: ReleaseIn | None) -> flask.Response:
    if body is not None:
        if body.inherit:
            raise InvalidInput("an org has no policy to inherit")
        rooms.set_org_policy(org_id, policy_of_minutes(body.minutes))
    return respond({"minutes": _minutes(rooms.org_policy(org_id))})


@admin_op("GET", f"{ORG}/room-release", "getRoomRelease", 200, OrgReleaseOut)
def org_release(rooms: RoomService, path: OrgPath) -> flask.Response:
    """The org's default room release policy.

    The org's default release policy (off unless set).
    """
    return _org_release(rooms, path.org, None)


@admin_op("PUT", f"{ORG}/room-release", "setRoomRelease", 200, OrgReleaseOut)
def set_org_release(rooms: RoomService, path: OrgPath, body: ReleaseIn) -> flask.Response:
    """Set the org's default room release policy.

    Set the org's default release policy (minutes, or null: off).
    """
    return _org_release(rooms, path.org, body)


def _room_release(rooms: RoomService, org_id: str, email: str, body: ReleaseIn | None) -> flask.Response:
    if body is not None:
        if body.inherit and body.minutes is not None:
            raise InvalidInput("give minutes or inherit, not both")
        override, in_effect = rooms.set_room_policy(
            org_id, email, None if body.inherit else policy_of_minutes(body.minutes)
        )
    else:
        override, in_effect = rooms.room_policy(org_id, email)
    return respond(
        {"override": override is not None, "override_minutes": _minutes(override), "minutes": _minutes(in_effect)}
    )


@admin_op("GET", f"{ROOM}/room-release", "getRoomOverride", 200, RoomReleaseOut)
def room_release(rooms: RoomService, path: PrincipalPath) -> flask.Response:
    """A room's override and the policy in effect.

    A room's override and the policy in effect.
    """
    return _room_release(rooms, path.org, path.email, None)


@admin_op("PUT", f"{ROOM}/room-release", "setRoomOverride", 200, RoomReleaseOut)
def set_room_release(rooms: RoomService, path: PrincipalPath, body: ReleaseIn) -> flask.Response:
    """Set a room's override (minutes, null: never) or drop it (inherit).

    Set or drop a room's override.
    """
    return _room_release(rooms, path.org, path.email, body)


@admin_op("GET", f"{ROOM}/room-meetings", "listRoomMeetings", 200, RoomMeetingsOut)
def room_meetings(
    request: flask.Request, rooms: RoomService, clock: Clock, path: PrincipalPath, query: RangeQuery
) -> flask.Response:
    """What became of each of the room's meetings (checked in, released, exempt, no policy, failed).

    What became of each of the room's meetings.
    """
    first, days = _range(request.args, clock)
    return respond({"meetings": [outcome_view(r) for r in rooms.meetings_of(path.org, path.email, first, days)]})


@admin_op("GET", f"{ORG}/room-report", "roomReport", 200, RoomReportOut)
def room_report(
    request: flask.Request, rooms: RoomService, clock: Clock, path: OrgPath, query: RangeQuery
) -> flask.Response:
    """Counts per room and day: released, checked in, no policy, exempt, failed.

    Counts per room and day.
    """
    first, days = _range(request.args, clock)
    return respond({"from": first.isoformat(), "days": days, "rooms": rooms.report(path.org, first, days)})
