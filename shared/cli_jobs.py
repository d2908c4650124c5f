"""``hybrid-calendar jobs run JOB``: run a scheduled job now, as the scheduler would, and print its report.

The job is a POST to ``<url>/<job>`` with the admin token: the local runtime's scheduled path,
or in the cloud the function's URL (``https://REGION-PROJECT.cloudfunctions.net`` as ``--url``,
with ``--id-token`` for IAM).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from shared.cli_admin import Admin, admin_command
from shared.cli_help import Typer
from shared.cli_output import fields_table, say

jobs_app = Typer(help="Run the scheduled jobs by hand.", no_args_is_help=True)


class Job(StrEnum):
    """The scheduled jobs."""

    MAINTAIN_CHANNELS = "maintain_channels"
    POLL_VACATIONS = "poll_vacations"
    DISPATCH_JOIN_BUTTONS = "dispatch_join_buttons"
    RELEASE_ROOMS = "release_rooms"


WHAT = {
    Job.MAINTAIN_CHANNELS: "renews watch channels, advances the window, reconciles calendars, purges expired rows",
    Job.POLL_VACATIONS: "queues a vacation-responder check of every active person",
    Job.DISPATCH_JOIN_BUTTONS: "sends join buttons for meetings starting within the lead time, and corrections",
    Job.RELEASE_ROOMS: "releases rooms nobody checked in to by the release time (declined at Google)",
}


@admin_command(jobs_app, "run", prefix="")
def jobs_run(
    admin: Admin,
    job: Annotated[
        Job,
        typer.Argument(
            metavar="JOB", help="maintain_channels, poll_vacations, dispatch_join_buttons or release_rooms."
        ),
    ],
) -> None:
    """Run one scheduled job now and print its report; exit 1 if it failed."""

    def human(report: Any) -> None:
        say(f"{job.value}: done ({WHAT[job]})")
        if isinstance(report, dict) and report:
            fields_table(report, list(report))

    admin.show(admin.call("POST", f"/{job.value}", {}), human)
