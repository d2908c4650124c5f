"""``hybrid-calendar users import``: activate users and rooms from a CSV, with a progress bar.

Rows are ``email[,kind[,devices]]`` (devices separated by ``;``), an optional header row and
``#`` comments. Every bad row is reported with its line number and reason, good rows are
activated, device tokens of imported rooms are printed once, and the exit is 1 if a row failed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from shared.cli_admin import Admin, AdminClient, OrgArg, admin_command, fail, principal_path
from shared.cli_devices import print_tokens
from shared.cli_output import err, say


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
    with Progress(*columns, console=err(), transient=False) as progress:
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


def register_import(app: typer.Typer) -> None:
    """Add ``import`` to the users commands."""

    @admin_command(app, "import")
    def users_import(
        admin: Admin,
        org: OrgArg,
        file: Annotated[
            Path, typer.Argument(metavar="FILE", exists=True, dir_okay=False, help="CSV: email[,kind[,devices]].")
        ],
    ) -> None:
        """Activate users and rooms from a CSV (email[,kind[,devices]], devices `;`-separated); 1 if a row failed."""
        rows = read_rows(file)
        report = import_rows(admin.client, org, rows)
        admin.show({"imported": report.imported, "failed": report.failed}, lambda _: _print_report(report))
        if report.failed:
            raise typer.Exit(1)


def _print_report(report: ImportReport) -> None:
    console = err()
    for bad in report.failed:
        console.print(Text(f"line {bad['line']}: {bad['email'] or '(empty)'}: {bad['reason']}"), soft_wrap=True)
    tokens = [{**d, "name": f"{i['email']} / {d['name']}"} for i in report.imported for d in i.get("devices", [])]
    if tokens:
        print_tokens(tokens)
    total = len(report.imported) + len(report.failed)
    say(f"Imported {len(report.imported)} of {total} rows; {len(report.failed)} failed.")
