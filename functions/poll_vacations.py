"""Scheduled (HTTP): fan out every org's active principals over vacation-check."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response, json_response
from shared.bootstrap import get_app
from shared.errors import RetryableError


@functions_framework.http
def poll_vacations(request: flask.Request) -> flask.Response:
    """HTTP entry point called by Cloud Scheduler every 5 minutes."""
    try:
        batches = get_app().presence.poll()
    except RetryableError as exc:
        return error_response(exc, 503)
    return json_response({"batches": batches})
