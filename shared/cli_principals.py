"""``hybrid-calendar users|rooms``: activate, list, show, revalidate, deactivate and purge principals.

The CSV import is in ``shared/cli_import.py``, room devices in ``shared/cli_devices.py``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import (
    AdminClient,
    EmailArg,
    IdTokenOpt,
    JsonOpt,
    OrgArg,
    TokenOpt,
    UrlOpt,
    connect,
    emit_json,
    principal_path,
)
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
DELEGATION_REASONS = ("delegation_not_authorized", "gmail_scope_missing")


def queued(client: AdminClient, method: str, path: str, as_json: bool, what: str) -> None:
    """Send an action the service queues, and say so (or print the principal as JSON)."""
    item = client.call(method, path)
    if as_json:
        emit_json(item)
    else:
        say(f"{item['email']}: {what}")


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

    @app.command("list")
    def list_(
        org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
    ) -> None:
        payload = connect(url, token, id_token).call("GET", f"{principal_path(org)}?kind={kind}")
        if as_json:
            emit_json(payload)
        else:
            rows_table(payload.get("principals", []), ["email", "state", "reason", "presence_enabled"])

    list_.__doc__ = f"List the {noun}s of an organisation with their state and reason (deactivated ones too)."

    @app.command("show")
    def show(
        org: OrgArg,
        email: EmailArg,
        url: UrlOpt = None,
        token: TokenOpt = None,
        id_token: IdTokenOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        client = connect(url, token, id_token)
        item = client.call("GET", principal_path(org, email))
        if as_json:
            emit_json(item)
        else:
            show_principal(client, org, item)

    show.__doc__ = f"Show a {noun}: state, reason, hint, last sync, channel expiry, meetings and decisions."

    @app.command("revalidate")
    def revalidate(
        org: OrgArg,
        email: EmailArg,
        url: UrlOpt = None,
        token: TokenOpt = None,
        id_token: IdTokenOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        client = connect(url, token, id_token)
        queued(client, "POST", principal_path(org, email, ":revalidate"), as_json, "validation queued")

    revalidate.__doc__ = f"Run validation of a {noun} again (after fixing delegation, say)."

    @app.command("deactivate")
    def deactivate(
        org: OrgArg,
        email: EmailArg,
        url: UrlOpt = None,
        token: TokenOpt = None,
        id_token: IdTokenOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        what = "deactivation queued; its channels stop and its data is destroyed (the record stays until purged)"
        queued(connect(url, token, id_token), "DELETE", principal_path(org, email), as_json, what)

    deactivate.__doc__ = f"Deactivate a {noun}: stop its channels and destroy its data and keys."

    @app.command("purge")
    def purge(
        org: OrgArg,
        email: EmailArg,
        url: UrlOpt = None,
        token: TokenOpt = None,
        id_token: IdTokenOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        item = connect(url, token, id_token).call("POST", principal_path(org, email, ":purge"))
        if as_json:
            emit_json(item)
        else:
            say(f"{item['email']}: purged; no record of it is left")

    purge.__doc__ = f"Delete a deactivated {noun}'s record for good."


_register(users_app, "person", "user")
_register(rooms_app, "room", "room")
register_import(users_app)


def _activated(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(item)
        return
    say(f"{item['email']}: {item['state']} (validation queued; see `show`)")
    if item.get("devices"):
        print_tokens(item["devices"])


@users_app.command("activate")
def users_activate(
    org: OrgArg,
    email: EmailArg,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Activate a user; validation runs in the background (see `users show`)."""
    _activated(connect(url, token, id_token).call("POST", principal_path(org), {"email": email}), as_json)


@rooms_app.command("activate")
def rooms_activate(
    org: OrgArg,
    email: EmailArg,
    device: Annotated[
        list[str] | None, typer.Option("--device", metavar="NAME", help="A device name (repeat).")
    ] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Activate a room, optionally with devices; their tokens are printed once."""
    body = {"email": email, "kind": "room", "devices": list(device or [])}
    _activated(connect(url, token, id_token).call("POST", principal_path(org), body), as_json)
