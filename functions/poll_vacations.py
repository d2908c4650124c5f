"""Scheduled (HTTP): fan out every org's active principals over vacation-check."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def poll_vacations(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until out-of-office polling lands."""
    return error_response(NotImplementedCapability("out-of-office polling"), 501)
