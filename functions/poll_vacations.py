"""Scheduled (HTTP): fan out every org's active principals over vacation-check."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response, json_response, scheduled_job
from shared.bootstrap import App
from shared.errors import RetryableError


def _poll(app: App) -> flask.Response:
    try:
        batches = app.presence.poll()
        app.health_records.note_run("vacation_poll", {"batches": batches}, app.clock.now())
        app.alerts.deliver_due()  # alert retries whose time has come
    except RetryableError as exc:
        return error_response(exc)
    return json_response({"batches": batches})


@functions_framework.http
def poll_vacations(request: flask.Request) -> flask.Response:
    """HTTP entry point called by Cloud Scheduler every 5 minutes."""
    return scheduled_job("poll_vacations", request, _poll)
