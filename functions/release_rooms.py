"""Scheduled (HTTP): release rooms nobody checked in to by the release time (decline them at Google)."""

from __future__ import annotations

from dataclasses import asdict

import flask
import functions_framework

from functions._common import error_response, json_response, scheduled_job
from shared.bootstrap import App
from shared.errors import HybridCalendarError


def _release(app: App) -> flask.Response:
    try:
        report = app.rooms.release()
    except HybridCalendarError as exc:
        return error_response(exc)
    return json_response(asdict(report))


@functions_framework.http
def release_rooms(request: flask.Request) -> flask.Response:
    """HTTP entry point: one release run; answers its counts (503 when the store is unavailable)."""
    return scheduled_job("release_rooms", request, _release)
