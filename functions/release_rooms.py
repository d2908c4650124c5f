"""Scheduled (HTTP): release rooms nobody checked in to by the release time (decline them at Google)."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import report_job, scheduled_job


@functions_framework.http
def release_rooms(request: flask.Request) -> flask.Response:
    """HTTP entry point: one release run; answers its counts (503 when the store is unavailable)."""
    return scheduled_job("release_rooms", request, report_job(lambda app: app.rooms.release()))
