"""Scheduled (HTTP): send join buttons for meetings starting within the lead time, and corrections."""

from __future__ import annotations

from dataclasses import asdict

import flask
import functions_framework

from functions._common import error_response, json_response, scheduled_job
from shared.bootstrap import App
from shared.errors import HybridCalendarError


def _dispatch(app: App) -> flask.Response:
    try:
        report = app.join_buttons.dispatch()
    except HybridCalendarError as exc:
        return error_response(exc)
    return json_response(asdict(report))


@functions_framework.http
def dispatch_join_buttons(request: flask.Request) -> flask.Response:
    """HTTP entry point: one dispatch run; answers its counts (503 when the store is unavailable)."""
    return scheduled_job("dispatch_join_buttons", request, _dispatch)
