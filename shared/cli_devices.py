"""``hybrid-calendar rooms devices``: list, add, rotate and revoke the devices of a room.

A token is printed once, whole, on a line of its own (add and rotate); listings show ids and
names, never tokens.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import Admin, EmailArg, OrgArg, admin_command, principal_path
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


def _device(org: str, room: str, device: str, suffix: str = "") -> str:
    return principal_path(org, room, f"/devices/{quote(device, safe='')}{suffix}")


@admin_command(devices_app, "list")
def devices_list(admin: Admin, org: OrgArg, room: EmailArg) -> None:
    """List a room's devices (their tokens cannot be shown again)."""
    payload = admin.call("GET", principal_path(org, room, "/devices"))
    admin.show(payload, lambda p: print_device_list(p.get("devices", [])))


@admin_command(devices_app, "add")
def devices_add(
    admin: Admin,
    org: OrgArg,
    room: EmailArg,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The device's name, e.g. 'Lobby display'.")],
) -> None:
    """Add a device to a room and print its token once."""
    issued = admin.call("POST", principal_path(org, room, "/devices"), {"name": name})
    admin.show(issued, lambda i: print_tokens([i]))


@admin_command(devices_app, "rotate")
def devices_rotate(admin: Admin, org: OrgArg, room: EmailArg, device: DeviceArg) -> None:
    """Give a device a new token (printed once); the old token stops working at once."""
    admin.show(admin.call("POST", _device(org, room, device, ":rotate")), lambda i: print_tokens([i]))


@admin_command(devices_app, "revoke")
def devices_revoke(admin: Admin, org: OrgArg, room: EmailArg, device: DeviceArg) -> None:
    """Revoke a device: it is deleted and its token stops working at once."""
    gone = admin.call("DELETE", _device(org, room, device))
    admin.show(gone, lambda g: say(f"{g['name']} ({g['id']}): revoked"))
