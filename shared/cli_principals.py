"""``hybrid-calendar users|rooms``: activate, list, show, revalidate and deactivate principals; CSV import."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from shared.cli_admin import (
    AdminClient,
    EmailArg,
    IdTokenOpt,
    JsonOpt,
    OrgArg,
    TokenOpt,
    UrlOpt,
    connect,
    console,
    emit_json,
    err_console,
    fail,
    fields_table,
    principal_path,
    rows_table,
)

users_app = typer.Typer(help="Manage users through the admin API.", no_args_is_help=True)
rooms_app = typer.Typer(help="Manage rooms through the admin API.", no_args_is_help=True)
DETAIL_FIELDS = [
    "email",
    "kind",
    "state",
    "reason",
    "hint",
    "detail",
    "presence_enabled",
    "locale",
    "time_zone",
    "last_sync",
    "last_full_sync",
    "channel_expiry",
    "meeting_count",
    "updated_at",
]


def queued(client: AdminClient, method: str, path: str, as_json: bool, what: str) -> None:
    """Send an action the service queues, and say so (or print the principal as JSON)."""
    item = client.call(method, path)
    if as_json:
        emit_json(item)
    else:
        console.print(f"{item['email']}: {what}", highlight=False)


def print_devices(devices: list[dict[str, Any]]) -> None:
    """Print device tokens in full, one per line (they are shown this once)."""
    typer.echo("Device tokens (shown once; store them now): name, device id, token")
    for device in devices:
        typer.echo(f"  {device['name']}  {device['id']}  {device['token']}")


def _register(app: typer.Typer, kind: str, noun: str) -> None:
    """Add list, show, revalidate and deactivate for principals of ``kind``."""

    @app.command("list")
    def list_(
        org: OrgArg, url: UrlOpt = None, token: TokenOpt = None, id_token: IdTokenOpt = None, as_json: JsonOpt = False
    ) -> None:
        payload = connect(url, token, id_token).call("GET", f"{principal_path(org)}?kind={kind}")
        if as_json:
            emit_json(payload)
        else:
            rows_table(payload.get("principals", []), ["email", "state", "reason", "presence_enabled"])

    list_.__doc__ = f"List the {noun}s of an organisation with their state and reason."

    @app.command("show")
    def show(
        org: OrgArg,
        email: EmailArg,
        url: UrlOpt = None,
        token: TokenOpt = None,
        id_token: IdTokenOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        item = connect(url, token, id_token).call("GET", principal_path(org, email))
        if as_json:
            emit_json(item)
            return
        fields_table(item, DETAIL_FIELDS)
        if item.get("decisions"):
            rows_table(item["decisions"], ["event_id", "outcome", "reason", "at"], title="Join-detail decisions")

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
        queued(
            connect(url, token, id_token),
            "POST",
            principal_path(org, email, ":revalidate"),
            as_json,
            "validation queued",
        )

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
        queued(
            connect(url, token, id_token),
            "DELETE",
            principal_path(org, email),
            as_json,
            "deactivation queued; its channels stop and its data is destroyed",
        )

    deactivate.__doc__ = f"Deactivate a {noun}: stop its channels and destroy its data and keys."


_register(users_app, "person", "user")
_register(rooms_app, "room", "room")


def _activated(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(item)
        return
    console.print(f"{item['email']}: {item['state']} (validation queued)", highlight=False)
    if item.get("devices"):
        print_devices(item["devices"])


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
    device: Annotated[list[str] | None, typer.Option("--device", help="A device name (repeat).")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Activate a room, optionally with devices; their tokens are printed once."""
    body = {"email": email, "kind": "room", "devices": list(device or [])}
    _activated(connect(url, token, id_token).call("POST", principal_path(org), body), as_json)


# ---------------------------------------------------------------- CSV import


@dataclass(slots=True)
class ImportReport:
    """What an import did: imported rows, failed rows with line numbers, device tokens shown once."""

    imported: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def parse_row(row: list[str]) -> dict[str, Any]:
    """One CSV row ``email[,kind[,devices]]`` as an activation body; ValueError with the reason."""
    cells = [c.strip() for c in row]
    if len(cells) > 3:
        raise ValueError("too many columns (expected email[,kind[,devices]])")
    email = cells[0]
    kind = (cells[1] if len(cells) > 1 else "") or "person"
    devices = [d.strip() for d in (cells[2] if len(cells) > 2 else "").split(";") if d.strip()]
    if not email:
        raise ValueError("the email is empty")
    if kind not in ("person", "room"):
        raise ValueError(f"kind must be person or room, not {kind!r}")
    if devices and kind != "room":
        raise ValueError("only rooms have devices")
    body: dict[str, Any] = {"email": email, "kind": kind}
    if devices:
        body["devices"] = devices
    return body


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """The file's non-empty rows with their line numbers (a header row ``email,...`` is skipped)."""
    rows: list[tuple[int, list[str]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for row in reader:
                rows.append((reader.line_num, row))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise fail(f"cannot read {path}: {exc}", 2) from None
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if rows and rows[0][1][0].strip().lower() == "email":
        rows = rows[1:]
    return rows


def import_rows(client: AdminClient, org: str, rows: list[tuple[int, list[str]]]) -> ImportReport:
    """Activate each row, with a progress bar; bad rows are reported, good ones imported."""
    report = ImportReport()
    columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task("import", total=len(rows))
        for line, row in rows:
            email = row[0].strip() if row else ""
            try:
                body = parse_row(row)
            except ValueError as exc:
                report.failed.append({"line": line, "email": email, "reason": str(exc)})
            else:
                answer = client.send("POST", principal_path(org), body)
                if answer.status == 404:
                    raise fail(f"{answer.message} (HTTP 404)")
                if answer.status >= 400:
                    report.failed.append({"line": line, "email": email, "reason": answer.message})
                else:
                    report.imported.append({"line": line, **answer.body})
            progress.advance(task)
    return report


@users_app.command("import")
def users_import(
    org: OrgArg,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV: email[,kind[,devices]].")],
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Activate users and rooms from a CSV (email[,kind[,devices]], devices `;`-separated); exit 1 if a row failed."""
    rows = read_rows(file)
    client = connect(url, token, id_token)
    try:
        report = import_rows(client, org, rows)
    finally:
        client.close()
    if as_json:
        emit_json({"imported": report.imported, "failed": report.failed})
    else:
        for bad in report.failed:
            err_console.print(f"line {bad['line']}: {bad['email'] or '(empty)'}: {bad['reason']}", highlight=False)
        devices = [{**d, "name": f"{i['email']} / {d['name']}"} for i in report.imported for d in i.get("devices", [])]
        if devices:
            print_devices(devices)
        total = len(report.imported) + len(report.failed)
        console.print(f"Imported {len(report.imported)} of {total} rows; {len(report.failed)} failed.", highlight=False)
    if report.failed:
        raise typer.Exit(1)
