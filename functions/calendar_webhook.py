"""Calendar push notifications (HTTP): read the X-Goog-* headers and hand off to calendar-sync."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def calendar_webhook(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until the calendar push webhook (sync pipeline) lands."""
    return error_response(NotImplementedCapability("the calendar push webhook (sync pipeline)"), 501)
