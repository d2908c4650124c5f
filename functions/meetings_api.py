"""The app API under /v1, its OpenAPI document, the web page and the device view (HTTP)."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def meetings_api(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until the app API lands."""
    return error_response(NotImplementedCapability("the app API"), 501)
