"""The CLI in a terminal: no text is read as markup, values to copy stay whole at any width, help has no type tags."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from shared.cli import app
from shared.cli_output import error_line
from shared.config import GOOGLE_SCOPES
from tests.e2e.test_sync_pipeline import ALICE
from tests.provisioning.conftest import Cli
from tests.support.world import ROOMS

ROOM = ROOMS[0]["email"]
SCOPES = ",".join(GOOGLE_SCOPES)


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if isinstance(command, click.Group) or hasattr(command, "commands"):
        for name, sub in getattr(command, "commands", {}).items():
            found += _commands(sub, (*path, name))
    return found


def test_no_help_screen_shows_python_type_placeholders() -> None:
    """Every command's --help names values (PORT, FILE, choices) instead of <str>, <int> or <bool>."""
    runner = CliRunner()
    paths = _commands(typer.main.get_command(app))
    assert ("rooms", "devices", "rotate") in paths and ("jobs", "run") in paths and ("dev",) in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, path
        for placeholder in ("<str>", "<int>", "<bool>", "<file>", "<path>", "<datetime>", "list[str]"):
            assert placeholder not in result.output, (path, placeholder)
    serve = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "100"}).output
    assert "PORT" in serve and "HOST" in serve
    created = runner.invoke(app, ["orgs", "create", "--help"], env={"COLUMNS": "140"}).output
    assert "[personal_room|space|webex_api]" in created and "[all|externalOnly|none]" in created


def test_error_text_is_never_read_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """An error with brackets prints exactly as written: `[red]` and a pattern like ^[a-z]{2,3} survive."""
    error_line("default_locale: String should match pattern '^[a-z]{2,3}([-_][A-Za-z]{2,4})?$' [red]x[/red]")
    assert "^[a-z]{2,3}([-_][A-Za-z]{2,4})?$' [red]x[/red]" in capsys.readouterr().err


def test_a_bad_url_is_a_usage_error_shown_as_typed(cli: Cli) -> None:
    """`--url` that is not an http(s) URL exits 2 with the URL shown literally, brackets included."""
    result = CliRunner().invoke(app, ["orgs", "list", "--url", "http://[red]x", "--token", "t"])
    assert result.exit_code == 2 and "'http://[red]x'" in result.stderr and "Traceback" not in result.output


def test_user_text_in_tables_and_lines_is_printed_literally(cli: Cli, tmp_path: Path) -> None:
    """A device named like markup shows as typed in `rooms show`; a CSV row's bad address shows as typed."""
    name = "[bold]Lobby[/bold] [link=http://x]"
    assert cli("rooms", "activate", "example-com", ROOM, "--device", name).exit_code == 0
    cli.world.settle()
    shown = cli("rooms", "show", "example-com", ROOM)
    assert shown.exit_code == 0 and name in shown.stdout
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("[red]eve[/red]\n")
    imported = cli("users", "import", "example-com", str(csv_file))
    assert imported.exit_code == 1 and "line 1: [red]eve[/red]: email is not a valid address" in imported.stderr


@pytest.mark.parametrize("columns", [80, 40])
def test_values_to_copy_stay_whole_at_any_width(cli: Cli, columns: int) -> None:
    """Client id, the whole scope list and device tokens each print on one unbroken line at 80 and 40 columns."""
    world = cli.world
    world.control.set_service_account_scopes(world.org.domain, world.key["client_id"], [])
    assert cli("users", "activate", "example-com", ALICE).exit_code == 0
    world.settle()
    shown = cli("users", "show", "example-com", ALICE, columns=columns)
    assert shown.exit_code == 0 and "delegation_not_authorized" in shown.stdout
    lines = shown.stdout.splitlines()
    assert f"  scopes: {SCOPES}" in lines and f"  client id: {world.key['client_id']}" in lines
    assert any(line.startswith("detail: ") and SCOPES in line for line in lines)
    org = cli("orgs", "show", "example-com", columns=columns).stdout.splitlines()
    assert f"  scopes: {SCOPES}" in org and f"  client id: {world.key['client_id']}" in org
    room = cli("rooms", "activate", "example-com", ROOM, "--device", "Display", columns=columns)
    token_lines = [line.split() for line in room.stdout.splitlines() if line.startswith("  Display ")]
    assert len(token_lines) == 1 and len(token_lines[0][-1]) == 43 and len(token_lines[0][-2]) == 32


@pytest.mark.parametrize("columns", [80, 40])
def test_list_identifiers_are_never_broken(cli: Cli, columns: int) -> None:
    """`orgs list` and `users list` keep every org id, domain and email on one line at 80 and 40 columns."""
    assert cli("users", "activate", "example-com", ALICE).exit_code == 0
    cli.world.settle()
    orgs = cli("orgs", "list", columns=columns)
    users = cli("users", "list", "example-com", columns=columns)
    assert orgs.exit_code == 0 and users.exit_code == 0
    assert any("example-com" in line.split() or "id: example-com" in line for line in orgs.stdout.splitlines())
    assert any("example.com" in line for line in orgs.stdout.splitlines())
    assert any(ALICE in line for line in users.stdout.splitlines())
