"""Scheduled (HTTP): send join buttons for meetings starting within the lead time, and corrections."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import report_job, scheduled_job


@functions_framework.http
def dispatch_join_buttons(request: flask.Request) -> flask.Response:
    """HTTP entry point: one dispatch run; answers its counts (503 when the store is unavailable)."""
    return scheduled_job("dispatch_join_buttons", request, report_job(lambda app: app.join_buttons.dispatch()))
