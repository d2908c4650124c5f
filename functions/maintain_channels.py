"""Scheduled (HTTP): renew watch channels, advance the window, reconcile calendars."""

from __future__ import annotations

import dataclasses

import flask
import functions_framework

from functions._common import error_response, json_response, scheduled_job
from shared.bootstrap import App
from shared.errors import NotImplementedCapability, RetryableError


def _maintain(app: App) -> flask.Response:
    try:
        report = app.channels.maintain()
        purged = app.documents.purge_expired(app.clock.now())  # a no-op where a TTL policy purges
        figures = {"reconciled": report.reconciled, "repaired_per_org": report.repaired_per_org}
        app.health_records.note_run("maintenance", figures, app.clock.now())
    except NotImplementedCapability as exc:
        return error_response(exc)
    except RetryableError as exc:
        return error_response(exc)
    return json_response({**dataclasses.asdict(report), "purged": purged})


@functions_framework.http
def maintain_channels(request: flask.Request) -> flask.Response:
    """HTTP entry point called by Cloud Scheduler."""
    return scheduled_job("maintain_channels", request, _maintain)
