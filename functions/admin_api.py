"""The admin API under /admin/v1: orgs, users, rooms and devices (HTTP)."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import error_response
from shared.errors import NotImplementedCapability


@functions_framework.http
def admin_api(request: flask.Request) -> flask.Response:
    """HTTP entry point; answers 501 until the admin API lands."""
    return error_response(NotImplementedCapability("the admin API"), 501)
