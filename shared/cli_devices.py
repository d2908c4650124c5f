"""``hybrid-calendar rooms devices``: list, add, rotate and revoke the devices of a room.

A token is printed once, whole, on a line of its own (add and rotate); listings show ids and
names, never tokens.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import EmailArg, IdTokenOpt, JsonOpt, OrgArg, TokenOpt, UrlOpt, connect, emit_json, principal_path
from shared.cli_help import Typer
from shared.cli_output import plain_lines, say

devices_app = Typer(help="List, add, rotate and revoke a room's devices.", no_args_is_help=True)
DeviceArg = Annotated[str, typer.Argument(metavar="DEVICE_ID", help="The device's id (see `rooms devices list`).")]


def print_tokens(devices: list[dict[str, Any]]) -> None:
    """Print device tokens in full, one per line (they are shown this once)."""
    typer.echo("Device tokens (shown once; store them now): name, device id, token")
    plain_lines(f"  {d['name']}  {d['id']}  {d['token']}" for d in devices)


def print_device_list(devices: list[dict[str, Any]]) -> None:
    """Print a room's devices: id, name, when added and rotated (never a token)."""
    if not devices:
        typer.echo("Devices: none (add one with `rooms devices add`)")
        return
    typer.echo("Devices: device id, name, added, token rotated")
    plain_lines(
        f"  {d['id']}  {d['name']}  {d.get('created_at') or '-'}  {d.get('rotated_at') or '-'}" for d in devices
    )


@devices_app.command("list")
def devices_list(
    org: OrgArg,
    room: EmailArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a room's devices (their tokens cannot be shown again)."""
    payload = connect(url, token, id_token).call("GET", principal_path(org, room, "/devices"))
    if as_json:
        emit_json(payload)
    else:
        print_device_list(payload.get("devices", []))


@devices_app.command("add")
def devices_add(
    org: OrgArg,
    room: EmailArg,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The device's name, e.g. 'Lobby display'.")],
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a device to a room and print its token once."""
    issued = connect(url, token, id_token).call("POST", principal_path(org, room, "/devices"), {"name": name})
    if as_json:
        emit_json(issued)
    else:
        print_tokens([issued])


@devices_app.command("rotate")
def devices_rotate(
    org: OrgArg,
    room: EmailArg,
    device: DeviceArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give a device a new token (printed once); the old token stops working at once."""
    path = principal_path(org, room, f"/devices/{quote(device, safe='')}:rotate")
    issued = connect(url, token, id_token).call("POST", path)
    if as_json:
        emit_json(issued)
    else:
        print_tokens([issued])


@devices_app.command("revoke")
def devices_revoke(
    org: OrgArg,
    room: EmailArg,
    device: DeviceArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a device: it is deleted and its token stops working at once."""
    gone = connect(url, token, id_token).call("DELETE", principal_path(org, room, f"/devices/{quote(device, safe='')}"))
    if as_json:
        emit_json(gone)
    else:
        say(f"{gone['name']} ({gone['id']}): revoked")
