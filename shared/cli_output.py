"""Terminal output of ``hybrid-calendar``: markup-safe text, tables that lose nothing, values to copy.

Every value that comes from the service or from a user (emails, device names, API messages) is
printed as plain text, never parsed as rich markup, so ``[red]`` or a pattern such as
``^[a-z]{2,3}`` shows as written. Table cells fold instead of ending in an ellipsis. Values an
operator must paste elsewhere (client ids, scopes, device tokens) are printed outside tables on
lines of their own without hard wrapping, so they stay whole at any terminal width.

Consoles are made per call: each reads the terminal width (``COLUMNS``) when it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

NARROW = 60
COPIED = frozenset({"id", "email", "domain", "device_id"})
"""Columns whose values an admin pastes into the next command."""


def out() -> Console:
    """A console on standard output."""
    return Console(highlight=False)


def err() -> Console:
    """A console on standard error."""
    return Console(stderr=True, highlight=False)


def say(message: str, *, style: str | None = None) -> None:
    """Print a line of plain text (no markup is read in it)."""
    out().print(Text(message, style=style or ""), soft_wrap=True)


def paragraph(message: str) -> None:
    """Print prose, word-wrapped to the terminal (never used for values to copy)."""
    out().print(Text(message))


def error_line(message: str) -> None:
    """Print ``error: <message>`` on standard error, one line per line of the message."""
    console = err()
    for line in message.splitlines() or [""]:
        console.print(f"[red]error:[/] {escape(line)}", soft_wrap=True)


def text(value: Any) -> str:
    """How a field value reads in a table."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def rows_table(rows: Iterable[Mapping[str, Any]], columns: list[str], title: str | None = None) -> None:
    """Print rows as a table with these columns; cells fold, nothing is cut."""
    table = Table(title=Text(title) if title else None)
    for index, column in enumerate(columns):
        key = index == 0 or column in COPIED  # identifiers are copied into the next command: never broken
        table.add_column(column, overflow="fold", no_wrap=key)
    rows = list(rows)
    for row in rows:
        table.add_row(*(Text(text(row.get(c))) for c in columns))
    console = out()
    keys = [c for i, c in enumerate(columns) if i == 0 or c in COPIED]
    whole = sum(max(len(c), *(len(text(r.get(c))) for r in rows)) for c in keys) if rows else 0
    if whole + 6 * (len(columns) - len(keys)) + 3 * len(columns) + 1 <= console.width:
        console.print(table)
        return
    for row in rows:  # too narrow for whole identifiers in a table: one `name: value` line each
        for column in columns:
            console.print(Text(f"{column}: {text(row.get(column))}"), soft_wrap=True)
        console.print()


def fields_table(item: Mapping[str, Any], names: list[str]) -> None:
    """Print one item as a two-column table of its fields (missing fields are left out).

    Below ``NARROW`` columns a table would fold most values, so the fields print as
    ``name: value`` lines instead.
    """
    console = out()
    present = [name for name in names if name in item]
    if console.width < NARROW:
        for name in present:
            console.print(Text(f"{name}: {text(item[name])}"), soft_wrap=True)
        return
    table = Table(show_header=False)
    table.add_column("field", overflow="fold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name in present:
        table.add_row(Text(name), Text(text(item[name])))
    console.print(table)


def copyable(label: str, value: Any) -> None:
    """Print ``label: value`` on one line that is never wrapped or cut (the terminal may fold it)."""
    out().print(Text(f"{label}: {text(value)}"), soft_wrap=True, overflow="ignore", crop=False)


def plain_lines(lines: Iterable[str]) -> None:
    """Print lines exactly as given (tokens and ids), never wrapped or cut."""
    console = out()
    for line in lines:
        console.print(Text(line), soft_wrap=True, overflow="ignore", crop=False)
