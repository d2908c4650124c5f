"""Scheduled (HTTP): send join buttons for meetings starting within the lead time."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def dispatch_join_buttons(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until join-button dispatch lands."""
    return error_response(NotImplementedCapability("join-button dispatch"), 501)
