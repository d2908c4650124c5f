"""Pub/Sub push (vacation-check): read vacation responders and set presence."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import handle_push
from shared.bootstrap import App
from shared.ports import BusMessage
from shared.ports.messages import CheckVacation


def _handle(app: App, request: CheckVacation, message: BusMessage) -> None:
    app.presence.check(request)


@functions_framework.http
def check_vacation(request: flask.Request) -> flask.Response:
    """Pub/Sub push entry point: check one batch of principals."""
    return handle_push("check_vacation", request, {CheckVacation: _handle})
