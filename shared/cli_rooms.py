"""``hybrid-calendar rooms release|meetings|report``: rooms that release themselves.

``rooms release ORG [ROOM] --minutes N|--off|--inherit`` shows or sets the org's default (no
room) or a room's override; ``rooms meetings ORG ROOM`` lists what became of each of the room's
meetings; ``rooms report ORG`` counts them per room and day (released, checked in, no policy).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import typer

from shared.cli_admin import Admin, OrgArg, admin_command, principal_path
from shared.cli_output import fields_table, rows_table

RoomOpt = Annotated[str | None, typer.Argument(metavar="[ROOM]", help="A room's email (none: the org's default).")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD; default today, UTC).")]
DaysOpt = Annotated[int, typer.Option("--days", min=1, max=62, help="How many days.")]
MEETING_COLUMNS = ["start", "outcome", "at", "device_id", "detail", "event_id"]
REPORT_COLUMNS = ["day", "room", "released", "checked_in", "no_policy", "exempt", "failed"]


def _query(first: str | None, days: int) -> str:
    return f"?days={days}" + (f"&from={quote(first)}" if first else "")


def release(
    admin: Admin,
    org: OrgArg,
    room: RoomOpt = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=240, help="Release after N minutes.")] = None,
    off: Annotated[bool, typer.Option("--off", help="Never release.")] = False,
    inherit: Annotated[bool, typer.Option("--inherit", help="The room follows the org's default again.")] = False,
) -> None:
    """Show or set the release policy: the org's default, or a room's override (off unless set; 10 is usual)."""
    if sum((minutes is not None, off, inherit)) > 1:
        raise typer.BadParameter("give one of --minutes, --off and --inherit")
    if inherit and room is None:
        raise typer.BadParameter("--inherit is for a room")
    path = principal_path(org, room, "/room-release") if room else f"/orgs/{quote(org, safe='')}/room-release"
    if minutes is None and not off and not inherit:
        payload = admin.call("GET", path)
    else:
        payload = admin.call("PUT", path, {"inherit": True} if inherit else {"minutes": minutes})
    admin.show(payload, lambda p: fields_table(p, list(p)))


def meetings(
    admin: Admin,
    org: OrgArg,
    room: Annotated[str, typer.Argument(metavar="ROOM", help="The room's email.")],
    first: FromOpt = None,
    days: DaysOpt = 1,
) -> None:
    """What became of each of a room's meetings: checked in, released, exempt, no policy, failed."""
    payload = admin.call("GET", principal_path(org, room, "/room-meetings") + _query(first, days))
    admin.show(payload, lambda p: rows_table(p["meetings"], MEETING_COLUMNS))


def report(admin: Admin, org: OrgArg, first: FromOpt = None, days: DaysOpt = 1) -> None:
    """Room meetings per room and day: released, checked in, no policy, exempt, failed."""
    payload = admin.call("GET", f"/orgs/{quote(org, safe='')}/room-report" + _query(first, days))
    admin.show(payload, lambda p: rows_table(p["rooms"], REPORT_COLUMNS))


def register_release(rooms: typer.Typer) -> None:
    """Add ``release``, ``meetings`` and ``report`` to the ``rooms`` command."""
    for name, command in (("release", release), ("meetings", meetings), ("report", report)):
        admin_command(rooms, name)(command)
