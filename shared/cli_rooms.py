"""``hybrid-calendar rooms release|meetings|report``: rooms that release themselves.

``rooms release ORG [ROOM] --minutes N|--off|--inherit`` shows or sets the org's default (no
room) or a room's override; ``rooms meetings ORG ROOM`` lists what became of each of the room's
meetings; ``rooms report ORG`` counts them per room and day (released, checked in, no policy).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import typer

from shared.cli_admin import IdTokenOpt, JsonOpt, OrgArg, TokenOpt, UrlOpt, connect, emit_json, principal_path
from shared.cli_output import fields_table, rows_table

RoomOpt = Annotated[str | None, typer.Argument(metavar="[ROOM]", help="A room's email (none: the org's default).")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD; default today, UTC).")]
DaysOpt = Annotated[int, typer.Option("--days", min=1, max=62, help="How many days.")]


def _query(first: str | None, days: int) -> str:
    return f"?days={days}" + (f"&from={quote(first)}" if first else "")


def release(
    org: OrgArg,
    room: RoomOpt = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1, max=240, help="Release after N minutes.")] = None,
    off: Annotated[bool, typer.Option("--off", help="Never release.")] = False,
    inherit: Annotated[bool, typer.Option("--inherit", help="The room follows the org's default again.")] = False,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set the release policy: the org's default, or a room's override (off unless set; 10 is usual)."""
    if sum((minutes is not None, off, inherit)) > 1:
        raise typer.BadParameter("give one of --minutes, --off and --inherit")
    if inherit and room is None:
        raise typer.BadParameter("--inherit is for a room")
    path = principal_path(org, room, "/room-release") if room else f"/orgs/{quote(org, safe='')}/room-release"
    client = connect(url, token, id_token)
    if minutes is None and not off and not inherit:
        payload = client.call("GET", path)
    else:
        payload = client.call("PUT", path, {"inherit": True} if inherit else {"minutes": minutes})
    if as_json:
        emit_json(payload)
    else:
        fields_table(payload, list(payload))


def meetings(
    org: OrgArg,
    room: Annotated[str, typer.Argument(metavar="ROOM", help="The room's email.")],
    first: FromOpt = None,
    days: DaysOpt = 1,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What became of each of a room's meetings: checked in, released, exempt, no policy, failed."""
    payload = connect(url, token, id_token).call(
        "GET", principal_path(org, room, "/room-meetings") + _query(first, days)
    )
    if as_json:
        emit_json(payload)
    else:
        rows_table(payload["meetings"], ["start", "outcome", "at", "device_id", "detail", "event_id"])


def report(
    org: OrgArg,
    first: FromOpt = None,
    days: DaysOpt = 1,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Room meetings per room and day: released, checked in, no policy, exempt, failed."""
    payload = connect(url, token, id_token).call(
        "GET", f"/orgs/{quote(org, safe='')}/room-report" + _query(first, days)
    )
    if as_json:
        emit_json(payload)
    else:
        rows_table(payload["rooms"], ["day", "room", "released", "checked_in", "no_policy", "exempt", "failed"])


def register_release(rooms: typer.Typer) -> None:
    """Add ``release``, ``meetings`` and ``report`` to the ``rooms`` command."""
    rooms.command("release")(release)
    rooms.command("meetings")(meetings)
    rooms.command("report")(report)
