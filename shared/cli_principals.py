"""``hybrid-calendar users|rooms``: activate, list, show, revalidate, deactivate and purge principals.

The CSV import is in ``shared/cli_import.py``, room devices in ``shared/cli_devices.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import Admin, AdminClient, EmailArg, OrgArg, admin_command, principal_path
from shared.cli_devices import devices_app, print_device_list, print_tokens
from shared.cli_help import Typer
from shared.cli_import import register_import
from shared.cli_output import copyable, fields_table, paragraph, rows_table, say
from shared.cli_rooms import register_release

users_app = Typer(help="Manage users through the admin API.", no_args_is_help=True)
rooms_app = Typer(help="Manage rooms and their devices through the admin API.", no_args_is_help=True)
rooms_app.add_typer(devices_app, name="devices")
register_release(rooms_app)
DETAIL_FIELDS = [
    "email",
    "kind",
    "state",
    "reason",
    "presence_enabled",
    "locale",
    "time_zone",
    "last_sync",
    "last_full_sync",
    "channel_expiry",
    "meeting_count",
    "updated_at",
    "deactivated_at",
    "deactivated_by",
]
LIST_COLUMNS = ["email", "state", "reason", "presence_enabled"]
DELEGATION_REASONS = ("delegation_not_authorized", "gmail_scope_missing")


def queued(admin: Admin, method: str, path: str, what: str) -> None:
    """Send an action the service queues, and say so (or print the principal as JSON)."""
    admin.show(admin.call(method, path), lambda item: say(f"{item['email']}: {what}"))


def show_principal(client: AdminClient, org: str, item: dict[str, Any]) -> None:
    """Print a principal: its fields, then hint and detail whole, devices and decisions."""
    fields_table(item, DETAIL_FIELDS)
    if item.get("state") == "deactivated":
        when, by = item.get("deactivated_at") or "-", item.get("deactivated_by") or "admin"
        say(f"Deactivated at {when} by {by}: its data is destroyed; `purge` deletes this record.")
    if item.get("hint"):
        paragraph(f"hint: {item['hint']}")
    if item.get("detail"):
        copyable("detail", item["detail"])
    if item.get("reason") in DELEGATION_REASONS:
        delegation = client.call("GET", f"/orgs/{quote(org, safe='')}").get("delegation") or {}
        typer.echo("Authorise in the Admin console (Security > API controls > Manage domain-wide delegation):")
        copyable("  client id", delegation.get("client_id"))
        copyable("  scopes", delegation.get("scopes"))
    if item.get("kind") == "room":
        print_device_list(item.get("devices") or [])
    decisions = item.get("decisions") or []
    if decisions:
        rows_table(decisions, ["event_id", "outcome", "reason", "at"], title="Join-detail decisions")
        hints = {d["reason"]: d.get("hint") for d in decisions if d.get("reason") and d.get("hint")}
        for reason, hint in hints.items():
            paragraph(f"{reason}: {hint}")


def _register(app: typer.Typer, kind: str, noun: str) -> None:
    """Add list, show, revalidate, deactivate and purge for principals of ``kind``."""

    def list_(admin: Admin, org: OrgArg) -> None:
        payload = admin.call("GET", f"{principal_path(org)}?kind={kind}")
        admin.show(
            payload, lambda p: rows_table(p.get("principals", []), ["email", "state", "reason", "presence_enabled"])
        )

    def show(admin: Admin, org: OrgArg, email: EmailArg) -> None:
        admin.show(admin.call("GET", principal_path(org, email)), lambda item: show_principal(admin.client, org, item))

    def revalidate(admin: Admin, org: OrgArg, email: EmailArg) -> None:
        queued(admin, "POST", principal_path(org, email, ":revalidate"), "validation queued")

    def deactivate(admin: Admin, org: OrgArg, email: EmailArg) -> None:
        what = "deactivation queued; its channels stop and its data is destroyed (the record stays until purged)"
        queued(admin, "DELETE", principal_path(org, email), what)

    def purge(admin: Admin, org: OrgArg, email: EmailArg) -> None:
        item = admin.call("POST", principal_path(org, email, ":purge"))
        admin.show(item, lambda i: say(f"{i['email']}: purged; no record of it is left"))

    helps: dict[str, tuple[Callable[..., None], str]] = {
        "list": (list_, f"List the {noun}s of an organisation with their state and reason (deactivated ones too)."),
        "show": (show, f"Show a {noun}: state, reason, hint, last sync, channel expiry, meetings and decisions."),
        "revalidate": (revalidate, f"Run validation of a {noun} again (after fixing delegation, say)."),
        "deactivate": (deactivate, f"Deactivate a {noun}: stop its channels and destroy its data and keys."),
        "purge": (purge, f"Delete a deactivated {noun}'s record for good."),
    }
    for name, (command, text) in helps.items():
        admin_command(app, name, help=text)(command)


_register(users_app, "person", "user")
_register(rooms_app, "room", "room")
register_import(users_app)


def _activated(admin: Admin, org: str, body: dict[str, Any]) -> None:
    admin.show(admin.call("POST", principal_path(org), body), _print_activated)


def _print_activated(item: dict[str, Any]) -> None:
    say(f"{item['email']}: {item['state']} (validation queued; see `show`)")
    if item.get("devices"):
        print_tokens(item["devices"])


@admin_command(users_app, "activate")
def users_activate(admin: Admin, org: OrgArg, email: EmailArg) -> None:
    """Activate a user; validation runs in the background (see `users show`)."""
    _activated(admin, org, {"email": email})


@admin_command(rooms_app, "activate")
def rooms_activate(
    admin: Admin,
    org: OrgArg,
    email: EmailArg,
    device: Annotated[
        list[str] | None, typer.Option("--device", metavar="NAME", help="A device name (repeat).")
    ] = None,
) -> None:
    """Activate a room, optionally with devices; their tokens are printed once."""
    _activated(admin, org, {"email": email, "kind": "room", "devices": list(device or [])})
