"""``hybrid-calendar dead-letters [ORG]``: what the bus gave up on, per topic and per principal (admin API)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import typer

from shared.cli_admin import Admin
from shared.cli_output import out, rows_table


def dead_letters(
    admin: Admin,
    org: Annotated[str | None, typer.Argument(help="An org id: its dead letters per principal too.")] = None,
) -> None:
    """Show dead letters: how many per topic (and per principal of ORG), with the latest error of each."""
    path = f"/orgs/{quote(org, safe='')}/dead-letters" if org else "/dead-letters"
    admin.show(admin.call("GET", path), print_dead_letters)


def print_dead_letters(found: dict[str, Any]) -> None:
    """Print dead letters per topic, then per principal."""
    if not found.get("total"):
        out().print("No dead letters.")
        return
    topics = [{"topic": name, **bucket} for name, bucket in found.get("topics", {}).items()]
    rows_table(topics, ["topic", "count", "last_at", "last_error"], title=f"{found['total']} dead letters")
    if found.get("principals"):
        rows_table(found["principals"], ["email", "count", "topics", "last_at", "last_error"])
