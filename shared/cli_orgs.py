"""``hybrid-calendar orgs``: create, list, show and change organisations, provider settings included."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import Admin, OrgArg, admin_command, fail
from shared.cli_help import Typer
from shared.cli_output import copyable, fields_table, rows_table
from shared.i18n.tags import catalog_locale

orgs_app = Typer(help="Manage organisations through the admin API.", no_args_is_help=True)
ORG_FIELDS = [
    "id",
    "domain",
    "credential",
    "room_delegate",
    "join_lead_minutes",
    "default_locale",
    "keywords",
    "provider",
    "webex_site",
    "webex_access_token_set",
    "send_updates",
    "kms_key",
    "created_at",
]


class Provider(StrEnum):
    """Where join details come from."""

    PERSONAL_ROOM = "personal_room"
    SPACE = "space"
    WEBEX_API = "webex_api"


class SendUpdates(StrEnum):
    """Whom Google notifies when the service writes join details (Calendar's ``sendUpdates``)."""

    ALL = "all"
    EXTERNAL_ONLY = "externalOnly"
    NONE = "none"


def _locale(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return catalog_locale(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


RoomDelegateOpt = Annotated[
    str | None,
    typer.Option("--room-delegate", metavar="EMAIL", help="A user whose access reads the room calendars."),
]
LeadOpt = Annotated[
    int | None,
    typer.Option("--lead-minutes", metavar="MINUTES", min=0, max=60, help="Join-button lead time (0-60)."),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale", metavar="LOCALE", callback=_locale, help="Default locale of the join details (de, pt-BR)."
    ),
]
KeywordOpt = Annotated[
    list[str] | None,
    typer.Option("--keyword", metavar="KEYWORD=ACTION", help="e.g. @zoom=space (repeat); replaces the keyword map."),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", metavar="FILE", exists=True, dir_okay=False, help="The service account's JSON key."),
]
ProviderOpt = Annotated[
    Provider | None,
    typer.Option("--provider", help="Join details from personal rooms, spaces or the Webex Meetings REST API."),
]
SiteOpt = Annotated[
    str | None, typer.Option("--webex-site", metavar="HOST", help="The Webex site, e.g. example.webex.com.")
]
WebexTokenOpt = Annotated[
    str | None,
    typer.Option(
        "--webex-token-file",
        metavar="FILE",
        help="A file holding the org's Webex access token ('-' reads standard input); stored encrypted.",
    ),
]
SendUpdatesOpt = Annotated[
    SendUpdates | None,
    typer.Option("--send-updates", help="Whom Google notifies of the service's edits to an invitation."),
]


def show_org(org: dict[str, Any]) -> None:
    """Print an org: its settings, then the values to paste into the Admin console on lines of their own."""
    fields_table(org, ORG_FIELDS)
    delegation = org.get("delegation") or {}
    typer.echo("Domain-wide delegation (Admin console > Security > API controls):")
    copyable("  client id", delegation.get("client_id"))
    copyable("  scopes", delegation.get("scopes"))


def _webex_token(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read the Webex token from {path}: {type(exc).__name__}", 2) from None
    token = raw.strip()
    if len(token) < 8:
        raise fail("the Webex access token is empty or too short", 2)
    return token


def settings_body(
    room_delegate: str | None,
    lead_minutes: int | None,
    locale: str | None,
    keywords: list[str] | None,
    provider: Provider | None = None,
    webex_site: str | None = None,
    webex_token_file: str | None = None,
    send_updates: SendUpdates | None = None,
) -> dict[str, Any]:
    """The admin API's org fields for the options given."""
    body: dict[str, Any] = {}
    for name, value in (
        ("room_delegate", room_delegate),
        ("join_lead_minutes", lead_minutes),
        ("default_locale", locale),
        ("provider", provider.value if provider else None),
        ("webex_site", webex_site),
        ("send_updates", send_updates.value if send_updates else None),
        ("webex_access_token", _webex_token(webex_token_file)),
    ):
        if value is not None:
            body[name] = value
    if keywords:
        pairs = [k.split("=", 1) for k in keywords]
        if any(len(p) != 2 for p in pairs):
            raise typer.BadParameter("use KEYWORD=ACTION, e.g. @zoom=space", param_hint="--keyword")
        body["keywords"] = {k.strip(): v.strip() for k, v in pairs}
    return body


def _key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {type(exc).__name__}", 2) from None


@admin_command(orgs_app, "list")
def orgs_list(admin: Admin) -> None:
    """List organisations."""
    columns = ["id", "domain", "provider", "room_delegate", "join_lead_minutes", "default_locale"]
    admin.show(admin.call("GET", "/orgs"), lambda orgs: rows_table(orgs.get("orgs", []), columns))


@admin_command(orgs_app, "create")
def orgs_create(
    admin: Admin,
    domain: Annotated[str, typer.Option("--domain", metavar="DOMAIN", help="The Workspace domain, e.g. example.com.")],
    key_file: KeyFileOpt = None,
    credential_kind: Annotated[
        str | None, typer.Option("--credential-kind", metavar="KIND", help="keyless or secret (not --key-file).")
    ] = None,
    credential_ref: Annotated[
        str | None,
        typer.Option("--credential-ref", metavar="REF", help="Service account email (keyless) or secret version."),
    ] = None,
    client_id: Annotated[
        str | None, typer.Option("--client-id", metavar="ID", help="The service account's client id.")
    ] = None,
    org_id: Annotated[
        str | None, typer.Option("--id", metavar="ORG", help="Org id (default: from the domain).")
    ] = None,
    room_delegate: RoomDelegateOpt = None,
    lead_minutes: LeadOpt = None,
    locale: LocaleOpt = None,
    keyword: KeywordOpt = None,
    provider: ProviderOpt = None,
    webex_site: SiteOpt = None,
    webex_token_file: WebexTokenOpt = None,
    send_updates: SendUpdatesOpt = None,
) -> None:
    """Create an organisation with a key file, or a keyless/secret credential reference."""
    if (key_file is None) == (credential_kind is None):
        raise typer.BadParameter("give --key-file, or --credential-kind with --credential-ref and --client-id")
    body: dict[str, Any] = {
        "domain": domain,
        **settings_body(
            room_delegate, lead_minutes, locale, keyword, provider, webex_site, webex_token_file, send_updates
        ),
    }
    if org_id:
        body["id"] = org_id
    if key_file is not None:
        body["service_account_key"] = _key_file(key_file)
    else:
        if credential_kind not in ("keyless", "secret") or not credential_ref or not client_id:
            raise typer.BadParameter("--credential-kind keyless|secret needs --credential-ref and --client-id")
        body["credential"] = {"kind": credential_kind, "reference": credential_ref, "client_id": client_id}
    admin.show(admin.call("POST", "/orgs", body), show_org)


@admin_command(orgs_app, "show")
def orgs_show(admin: Admin, org: OrgArg) -> None:
    """Show an organisation and what to authorise for domain-wide delegation."""
    admin.show(admin.call("GET", f"/orgs/{quote(org, safe='')}"), show_org)


@admin_command(orgs_app, "set")
def orgs_set(
    admin: Admin,
    org: OrgArg,
    room_delegate: RoomDelegateOpt = None,
    lead_minutes: LeadOpt = None,
    locale: LocaleOpt = None,
    keyword: KeywordOpt = None,
    provider: ProviderOpt = None,
    webex_site: SiteOpt = None,
    webex_token_file: WebexTokenOpt = None,
    send_updates: SendUpdatesOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Change an organisation's settings (only the options given)."""
    body = settings_body(
        room_delegate, lead_minutes, locale, keyword, provider, webex_site, webex_token_file, send_updates
    )
    if key_file is not None:
        body["service_account_key"] = _key_file(key_file)
    if not body:
        raise typer.BadParameter("nothing to change: give at least one option")
    admin.show(admin.call("PATCH", f"/orgs/{quote(org, safe='')}", body), show_org)
