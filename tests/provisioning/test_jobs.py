"""`hybrid-calendar jobs run`: each scheduled job runs by hand with the admin token and prints its report."""

from __future__ import annotations

from datetime import timedelta

from typer.testing import CliRunner

from shared.cli import app
from tests.e2e.test_sync_pipeline import ALICE, _create, _event
from tests.provisioning.conftest import Cli


def test_each_job_runs_and_reports(cli: Cli) -> None:
    """maintain_channels, poll_vacations and dispatch_join_buttons run through the CLI and report what they did."""
    world = cli.world
    world.activate(ALICE)
    _create(world, ALICE, _event("Soon", 0.05, location="@webex"))
    world.settle()
    world.control.clear_requests()
    polled = cli.json("jobs", "run", "poll_vacations")
    assert polled == {"batches": 1}
    world.settle()
    assert world.count("gmail.users.settings.getVacation", ALICE) == 1
    dispatched = cli.json("jobs", "run", "dispatch_join_buttons")
    assert (dispatched["meetings"], dispatched["sent"]) == (1, 1)
    assert cli.json("jobs", "run", "dispatch_join_buttons")["sent"] == 0  # once only
    world.clock.advance(timedelta(days=6, hours=23))  # the channel is about to expire
    world.control.set_clock(advance_seconds=timedelta(days=6, hours=23).total_seconds())
    maintained = cli("jobs", "run", "maintain_channels")
    assert maintained.exit_code == 0 and "maintain_channels: done" in maintained.stdout
    assert "renewed" in maintained.stdout and cli.json("jobs", "run", "maintain_channels")["renewed"] == 0
    world.settle()
    assert world.count("calendar.events.watch") == 1  # renewed


def test_bad_jobs_and_bad_tokens_are_clear_errors(cli: Cli) -> None:
    """An unknown job is a usage error (2); a wrong admin token is the service's 401 message (1)."""
    unknown = cli("jobs", "run", "reticulate_splines")
    assert unknown.exit_code == 2 and "reticulate_splines" in unknown.output
    refused = CliRunner().invoke(app, ["jobs", "run", "poll_vacations", "--url", cli.url, "--token", "wrong"])
    assert refused.exit_code == 1 and "admin token" in refused.stderr and "401" in refused.stderr
