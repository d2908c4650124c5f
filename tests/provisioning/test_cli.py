"""The admin CLI against a real local runtime server: orgs, users, rooms, CSV import, JSON output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.cli_admin import connect
from tests.e2e.test_sync_pipeline import ALICE, BOB
from tests.provisioning.conftest import OTHER_DOMAIN, ZED, Cli
from tests.support.world import ROOMS

ROOM = ROOMS[0]["email"]


def test_orgs_create_show_set_and_list(cli: Cli, tmp_path: Path) -> None:
    """An org made from a key file is shown with its delegation, changed with `set`, and listed; keyless works too."""
    cli.world.control.create_domain(OTHER_DOMAIN, users=[{"email": ZED, "name": "Zed"}])
    key = cli.world.control.create_service_account(OTHER_DOMAIN, ["https://www.googleapis.com/auth/calendar"])
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(key))
    args = ("--domain", OTHER_DOMAIN, "--key-file", str(key_file), "--room-delegate", ZED, "--lead-minutes", "3")
    created = cli.json("orgs", "create", *args, "--locale", "fr", "--keyword", "@zoom=space")
    assert created["id"] == "other-org" and created["credential"] == {"kind": "stored", "client_id": key["client_id"]}
    assert (created["join_lead_minutes"], created["default_locale"], created["keywords"]) == (
        3,
        "fr",
        {"@zoom": "space"},
    )
    shown = cli("orgs", "show", "other-org")
    assert shown.exit_code == 0 and key["client_id"] in shown.stdout and "gmail.settings.basic" in shown.stdout
    assert cli.json("orgs", "set", "other-org", "--lead-minutes", "7")["join_lead_minutes"] == 7
    keyless = cli.json(
        "orgs", "create", "--domain", "third.org", "--credential-kind", "keyless",
        "--credential-ref", "svc@p.iam.gserviceaccount.com", "--client-id", "42",
    )  # fmt: skip
    assert keyless["credential"]["kind"] == "keyless" and keyless["delegation"]["client_id"] == "42"
    assert [o["id"] for o in cli.json("orgs", "list")["orgs"]] == ["example-com", "other-org", "third-org"]
    assert "SECRET" not in json.dumps(cli.json("orgs", "list")) and key["private_key"][40:80] not in shown.stdout


def test_user_lifecycle(cli: Cli) -> None:
    """activate → show → revalidate → deactivate → show (deactivated, when, by whom) → purge → show is exit 1."""
    activated = cli("users", "activate", "example-com", ALICE)
    assert activated.exit_code == 0 and "pending" in activated.stdout
    cli.world.settle()
    shown = cli.json("users", "show", "example-com", ALICE)
    assert shown["state"] == "active" and shown["last_sync"] and shown["channel_expiry"]
    assert shown["meeting_count"] == 0 and shown["decisions"] == []
    human = cli("users", "show", "example-com", ALICE)
    assert human.exit_code == 0 and "active" in human.stdout and "meeting_count" in human.stdout
    assert cli("users", "revalidate", "example-com", ALICE).exit_code == 0
    cli.world.settle()
    assert cli.json("users", "show", "example-com", ALICE)["state"] == "active"
    assert len(cli.world.control.channels()) == 1
    assert cli("users", "purge", "example-com", ALICE).exit_code == 1  # only a deactivated principal is purged
    assert cli("users", "deactivate", "example-com", ALICE).exit_code == 0
    cli.world.settle()
    gone = cli.json("users", "show", "example-com", ALICE)
    assert (gone["state"], gone["deactivated_by"], gone["meeting_count"], gone["decisions"]) == (
        "deactivated",
        "admin",
        0,
        [],
    )
    assert gone["deactivated_at"] and gone["last_sync"] is None and gone["channel_expiry"] is None
    human = cli("users", "show", "example-com", ALICE)
    assert human.exit_code == 0 and "Deactivated at" in human.stdout and "by admin" in human.stdout
    listed = cli.json("users", "list", "example-com")["principals"]
    assert [(p["email"], p["state"]) for p in listed] == [(ALICE, "deactivated")]
    assert cli.world.control.channels() == []
    again = cli("users", "deactivate", "example-com", ALICE)
    assert again.exit_code == 1 and "deactivated" in again.stderr and "409" in again.stderr
    assert cli("users", "purge", "example-com", ALICE).exit_code == 0
    purged = cli("users", "show", "example-com", ALICE)
    assert purged.exit_code == 1 and "no such principal" in purged.stderr
    assert cli.json("users", "list", "example-com")["principals"] == []


def test_an_error_shows_reason_and_hint(cli: Cli) -> None:
    """A user in error shows its reason and the hint in `users show` and `users list`."""
    assert cli("users", "activate", "example-com", "nobody@example.com").exit_code == 0
    cli.world.settle()
    shown = cli.json("users", "show", "example-com", "nobody@example.com")
    assert shown["state"] == "error" and shown["reason"] == "calendar_not_found" and shown["hint"]
    assert "calendar_not_found" in cli("users", "list", "example-com").stdout


def test_rooms_print_device_tokens_once(cli: Cli) -> None:
    """`rooms activate --device` prints each device's token; the room lists and shows as active."""
    result = cli("rooms", "activate", "example-com", ROOM, "--device", "Board", "--device", "Display")
    assert result.exit_code == 0 and "shown once" in result.stdout and "Board" in result.stdout
    tokens_shown = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert len(tokens_shown) == 2 and all(len(t) == 43 for t in tokens_shown)  # whole, never cut short
    cli.world.settle()
    tokens = cli.json("rooms", "activate", "example-com", "room-2@example.com", "--device", "Wall")["devices"]
    assert [d["name"] for d in tokens] == ["Wall"] and len(tokens[0]["token"]) > 30
    cli.world.settle()
    assert cli.json("rooms", "show", "example-com", ROOM)["state"] == "active"
    rooms = cli.json("rooms", "list", "example-com")["principals"]
    assert {r["email"] for r in rooms} == {ROOM, "room-2@example.com"}
    assert cli.json("users", "list", "example-com")["principals"] == []
    assert cli("rooms", "deactivate", "example-com", ROOM).exit_code == 0


def test_csv_import_reports_bad_rows_and_imports_good_ones(cli: Cli, tmp_path: Path) -> None:
    """Every bad row is reported with its line number and reason, good rows are activated, and the exit is 1."""
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,kind,devices\n"
        f"{ALICE}\n"
        "not-an-email\n"
        f"{BOB},person\n"
        "\n"
        f"{ROOM},room,Board;Display\n"
        "dave@example.com,robot\n"
        f"{ALICE}\n"
        "eve@example.com,person,Board\n"
        ",room\n"
    )
    result = cli("users", "import", "example-com", str(csv_file))
    assert result.exit_code == 1
    for line, reason in (
        (3, "not a valid address"),
        (7, "kind must be"),
        (8, "already"),
        (9, "only rooms"),
        (10, "empty"),
    ):
        assert f"line {line}:" in result.stderr and reason in result.stderr, line
    assert "Imported 3 of 8 rows; 5 failed." in result.stdout and "Display" in result.stdout
    cli.world.settle()
    states = {p["email"]: p["state"] for p in cli.json("users", "list", "example-com")["principals"]}
    assert states == {ALICE: "active", BOB: "active"}
    assert cli.json("rooms", "show", "example-com", ROOM)["state"] == "active"


def test_csv_import_json_and_all_good(cli: Cli, tmp_path: Path) -> None:
    """With --json the import prints imported and failed rows as JSON; all good rows exit 0."""
    csv_file = tmp_path / "ok.csv"
    csv_file.write_text(f"{ALICE}\n{BOB},person\n")
    report = cli.json("users", "import", "example-com", str(csv_file))
    assert [(r["line"], r["email"], r["state"]) for r in report["imported"]] == [
        (1, ALICE, "pending"),
        (2, BOB, "pending"),
    ]
    assert report["failed"] == []


def test_unknown_org_or_principal_exits_1(cli: Cli, tmp_path: Path) -> None:
    """An unknown org or principal is one clear message and exit code 1, never a traceback."""
    csv_file = tmp_path / "one.csv"
    csv_file.write_text(f"{ALICE}\n")
    for args in (
        ("orgs", "show", "nope"),
        ("orgs", "set", "nope", "--lead-minutes", "2"),
        ("users", "list", "nope"),
        ("users", "activate", "nope", ALICE),
        ("users", "show", "example-com", "ghost@example.com"),
        ("rooms", "deactivate", "example-com", "ghost@example.com"),
        ("users", "revalidate", "nope", ALICE),
        ("users", "import", "nope", str(csv_file)),
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert ("no org" in result.stderr or "no such principal" in result.stderr) and "404" in result.stderr, args
        assert result.exception is None or isinstance(result.exception, SystemExit), args


@pytest.mark.parametrize(
    "args",
    [
        ("orgs", "create", "--domain", "x.org"),
        ("orgs", "create", "--domain", "x.org", "--credential-kind", "keyless"),
        ("orgs", "set", "example-com"),
        ("orgs", "set", "example-com", "--keyword", "zoom"),
        ("users", "show", "example-com"),
        ("users", "import", "example-com", "/nonexistent.csv"),
        ("rooms", "activate"),
        ("users", "frobnicate"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: tuple[str, ...]) -> None:
    """Missing arguments, conflicting or missing credential options, and nothing to change are usage errors (2)."""
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Usage" in result.output or "error" in result.output


def test_the_id_token_goes_in_the_serverless_header() -> None:
    """--id-token is sent as X-Serverless-Authorization while Authorization keeps the admin token."""
    client = connect("https://admin-api.example.run.app/", "admin-token", "id.token.jwt")
    try:
        assert client.base == "https://admin-api.example.run.app"
        assert client.headers == {
            "Authorization": "Bearer admin-token",
            "X-Serverless-Authorization": "Bearer id.token.jwt",
        }
    finally:
        client.close()


def test_the_admin_api_serves_its_openapi_document(cli: Cli) -> None:
    """GET /admin/v1/openapi.json documents every route with the pydantic models' schemas."""
    import httpx

    document = httpx.get(f"{cli.url}/admin/v1/openapi.json", headers={"Authorization": "Bearer admin"}).json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert set(paths["/admin/v1/orgs/{org}/principals/{email}"]) == {"get", "delete"}
    assert "post" in paths["/admin/v1/orgs/{org}/principals/{email}:revalidate"]
    assert set(paths["/admin/v1/orgs/{org}"]) == {"get", "patch"}
    schemas = document["components"]["schemas"]
    assert {"OrgCreate", "OrgFields", "PrincipalCreate", "PrincipalDetailOut", "ErrorOut"} <= set(schemas)
    assert "reason" in schemas["PrincipalOut"]["properties"]
    for path in paths.values():
        for operation in path.values():
            for ref in json.dumps(operation).split('"$ref": "#/components/schemas/')[1:]:
                assert ref.split('"')[0] in schemas
