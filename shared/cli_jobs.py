"""``hybrid-calendar jobs run JOB``: run a scheduled job now, as the scheduler would, and print its report.

The job is a POST to ``<url>/<job>`` with the admin token: the local runtime's scheduled path,
or in the cloud the function's URL (``https://REGION-PROJECT.cloudfunctions.net`` as ``--url``,
with ``--id-token`` for IAM).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from shared.cli_admin import IdTokenOpt, JsonOpt, TokenOpt, UrlOpt, connect, emit_json
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


@jobs_app.command("run")
def jobs_run(
    job: Annotated[
        Job,
        typer.Argument(
            metavar="JOB", help="maintain_channels, poll_vacations, dispatch_join_buttons or release_rooms."
        ),
    ],
    url: UrlOpt = None,
    token: TokenOpt = None,
    id_token: IdTokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one scheduled job now and print its report; exit 1 if it failed."""
    client = connect(url, token, id_token, prefix="")
    try:
        report = client.call("POST", f"/{job.value}", {})
    finally:
        client.close()
    if as_json:
        emit_json(report)
        return
    say(f"{job.value}: done ({WHAT[job]})")
    if isinstance(report, dict) and report:
        fields_table(report, list(report))
