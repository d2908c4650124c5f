"""`hybrid-calendar rooms release|meetings|report` and `jobs run release_rooms` against a served world."""

from __future__ import annotations

from shared.domain.principals import PrincipalKind
from tests.provisioning.conftest import Cli
from tests.support.world import DOMAIN

ROOM = "room-c@example.com"


def test_policies_outcomes_report_and_the_job_through_the_cli(cli: Cli) -> None:
    """The org default and a room override are set and shown; the job runs; an empty day reports no rooms."""
    world = cli.world
    org = world.org.id
    world.control.create_domain(DOMAIN, rooms=[{"email": ROOM, "name": "Room C"}])
    world.activate(ROOM, PrincipalKind.ROOM)
    assert cli.json("rooms", "release", org) == {"minutes": None}
    assert cli.json("rooms", "release", org, "--minutes", "10") == {"minutes": 10}
    assert cli.json("rooms", "release", org, ROOM, "--off") == {
        "override": True,
        "override_minutes": None,
        "minutes": None,
    }
    assert cli.json("rooms", "release", org, ROOM, "--inherit")["minutes"] == 10
    shown = cli("rooms", "release", org, ROOM)
    assert shown.exit_code == 0 and "override" in shown.output
    both = cli("rooms", "release", org, ROOM, "--off", "--minutes", "5")
    assert both.exit_code != 0 and "one of" in both.output
    person = cli("rooms", "release", org, "alice@example.com", "--minutes", "5")
    assert person.exit_code == 1 and "Traceback" not in person.output
    assert cli.json("jobs", "run", "release_rooms")["rooms"] == 1
    assert cli.json("rooms", "report", org, "--from", "2026-01-01")["rooms"] == []
    assert cli.json("rooms", "meetings", org, ROOM)["meetings"] == []
    bad = cli("rooms", "report", org, "--from", "soon")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
