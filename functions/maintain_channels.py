"""Scheduled (HTTP): renew watch channels, advance the window, reconcile calendars."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def maintain_channels(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until channel renewal, window advance and reconciliation lands."""
    return error_response(NotImplementedCapability("channel renewal, window advance and reconciliation"), 501)
