"""The admin commands of ``hybrid-calendar``: ``orgs``, ``users`` and ``rooms`` over the admin API.

Human tables by default, ``--json`` for scripts. An error of the API (unknown org or principal,
bad input, a conflict) prints its message and exits 1; usage errors exit 2.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared import config
from shared.errors import ConfigError

console = Console()
err_console = Console(stderr=True)

UrlOpt = Annotated[str | None, typer.Option("--url", help="Base URL of the service (default: from settings).")]
TokenOpt = Annotated[str | None, typer.Option("--token", help="Admin token (default: HYBRIDCAL_ADMIN_TOKEN).")]
IdTokenOpt = Annotated[
    str | None,
    typer.Option("--id-token", help="ID token for Cloud Run IAM, sent as X-Serverless-Authorization."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
OrgArg = Annotated[str, typer.Argument(help="The org id (e.g. example-com).")]
EmailArg = Annotated[str, typer.Argument(help="The principal's email address.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error and return the Exit to raise."""
    err_console.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer of the admin API."""

    status: int
    body: Any

    @property
    def message(self) -> str:
        """The error message of a failed call."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str(error.get("message", "request failed")) if isinstance(error, dict) else "request failed"


@dataclass(slots=True)
class AdminClient:
    """Calls ``/admin/v1`` with the admin token (and an IAM ID token when given)."""

    base: str
    headers: dict[str, str]
    _http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=f"{self.base}/admin/v1", headers=self.headers, timeout=30)

    def send(self, method: str, path: str, body: Any = None) -> Answer:
        """Send one request; exit 1 when the service cannot be reached."""
        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise fail(f"cannot reach the admin API at {self.base}: {type(exc).__name__}") from None
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": {"message": response.text[:200] or f"HTTP {response.status_code}"}}
        return Answer(response.status_code, payload)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request; on an error answer print its message and exit 1."""
        answer = self.send(method, path, body)
        if answer.status >= 400:
            raise fail(f"{answer.message} (HTTP {answer.status})")
        return answer.body

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def connect(url: str | None, token: str | None, id_token: str | None) -> AdminClient:
    """An AdminClient from the options, falling back to the settings."""
    try:
        settings = config.load()
    except ConfigError as exc:
        raise fail(exc.message, 2) from None
    token = token or settings.admin_token
    if not token:
        raise fail("set HYBRIDCAL_ADMIN_TOKEN or pass --token", 2)
    headers = {"Authorization": f"Bearer {token}"}
    if id_token:
        headers["X-Serverless-Authorization"] = f"Bearer {id_token}"
    base = (url or settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return AdminClient(base, headers)


def principal_path(org: str, email: str = "", suffix: str = "") -> str:
    """The API path of an org's principals (or one of them)."""
    path = f"/orgs/{quote(org, safe='')}/principals"
    return f"{path}/{quote(email, safe='@')}{suffix}" if email else path


def emit_json(payload: Any) -> None:
    """Print JSON (plain, never wrapped)."""
    typer.echo(json.dumps(payload, indent=2, default=str))


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


def rows_table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    """Print rows as a table with these columns."""
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_text(row.get(c)) for c in columns))
    console.print(table)


def fields_table(item: dict[str, Any], names: list[str]) -> None:
    """Print one item as a two-column table of its fields."""
    table = Table("field", "value", show_header=False)
    for name in names:
        table.add_row(name, _text(item.get(name)))
    console.print(table)


# ---------------------------------------------------------------- orgs

orgs_app = typer.Typer(help="Manage organisations through the admin API.", no_args_is_help=True)
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
    "send_updates",
    "kms_key",
    "created_at",
]


def _show_org(org: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(org)
        return
    fields_table(org, ORG_FIELDS)
    delegation = org.get("delegation") or {}
    console.print(
        f"Domain-wide delegation: client id [bold]{delegation.get('client_id')}[/], "
        f"scopes [bold]{delegation.get('scopes')}[/]",
        highlight=False,
        soft_wrap=True,
    )


def _settings_body(
    room_delegate: str | None, lead_minutes: int | None, locale: str | None, keywords: list[str] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if room_delegate is not None:
        body["room_delegate"] = room_delegate
    if lead_minutes is not None:
        body["join_lead_minutes"] = lead_minutes
    if locale is not None:
        body["default_locale"] = locale
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


RoomDelegateOpt = Annotated[
    str | None, typer.Option("--room-delegate", help="A user whose access reads the room calendars.")
]
LeadOpt = Annotated[int | None, typer.Option("--lead-minutes", help="Join-button lead time in minutes (0-60).")]
LocaleOpt = Annotated[str | None, typer.Option("--locale", help="Default locale of the join details.")]
KeywordOpt = Annotated[
    list[str] | None, typer.Option("--keyword", help="KEYWORD=ACTION (repeat); replaces the keyword map.")
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", exists=True, dir_okay=False, help="The service account's JSON key file."),
]


@orgs_app.command("list")
def orgs_list(
    url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
) -> None:
    """List organisations."""
    orgs = connect(url, token, id_token).call("GET", "/orgs")
    if as_json:
        emit_json(orgs)
    else:
        rows_table(orgs.get("orgs", []), ["id", "domain", "room_delegate", "join_lead_minutes", "default_locale"])


@orgs_app.command("create")
def orgs_create(
    domain: Annotated[str, typer.Option("--domain", help="The Workspace domain, e.g. example.com.")],
    key_file: KeyFileOpt = None,
    credential_kind: Annotated[
        str | None, typer.Option("--credential-kind", help="keyless or secret (instead of --key-file).")
    ] = None,
    credential_ref: Annotated[
        str | None, typer.Option("--credential-ref", help="Service account email (keyless) or secret version.")
    ] = None,
    client_id: Annotated[str | None, typer.Option("--client-id", help="The service account's client id.")] = None,
    org_id: Annotated[str | None, typer.Option("--id", help="Org id (default: from the domain).")] = None,
    room_delegate: RoomDelegateOpt = None,
    lead_minutes: LeadOpt = None,
    locale: LocaleOpt = None,
    keyword: KeywordOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an organisation with a key file, or a keyless/secret credential reference."""
    if (key_file is None) == (credential_kind is None):
        raise typer.BadParameter("give --key-file, or --credential-kind with --credential-ref and --client-id")
    body: dict[str, Any] = {"domain": domain, **_settings_body(room_delegate, lead_minutes, locale, keyword)}
    if org_id:
        body["id"] = org_id
    if key_file is not None:
        body["service_account_key"] = _key_file(key_file)
    else:
        if credential_kind not in ("keyless", "secret") or not credential_ref or not client_id:
            raise typer.BadParameter("--credential-kind keyless|secret needs --credential-ref and --client-id")
        body["credential"] = {"kind": credential_kind, "reference": credential_ref, "client_id": client_id}
    _show_org(connect(url, token, id_token).call("POST", "/orgs", body), as_json)


@orgs_app.command("show")
def orgs_show(
    org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
) -> None:
    """Show an organisation and what to authorise for domain-wide delegation."""
    _show_org(connect(url, token, id_token).call("GET", f"/orgs/{quote(org, safe='')}"), as_json)


@orgs_app.command("set")
def orgs_set(
    org: OrgArg,
    room_delegate: RoomDelegateOpt = None,
    lead_minutes: LeadOpt = None,
    locale: LocaleOpt = None,
    keyword: KeywordOpt = None,
    key_file: KeyFileOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an organisation's settings (only the options given)."""
    body = _settings_body(room_delegate, lead_minutes, locale, keyword)
    if key_file is not None:
        body["service_account_key"] = _key_file(key_file)
    if not body:
        raise typer.BadParameter("nothing to change: give at least one option")
    _show_org(connect(url, token, id_token).call("PATCH", f"/orgs/{quote(org, safe='')}", body), as_json)
