"""Pub/Sub push (join-rewrite): write, replace or remove join details on the organiser's event."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import handle_push
from shared.bootstrap import App
from shared.errors import Forbidden, Unauthenticated
from shared.ports import BusMessage
from shared.ports.messages import RewriteJoinDetails


def _handle(app: App, request: RewriteJoinDetails, message: BusMessage) -> None:
    try:
        app.rewrite.rewrite(request.org_id, request.principal_id, request.event_id)
    except (Forbidden, Unauthenticated) as exc:  # a revoked delegation, say: the principal's state says so at once
        app.delegation.refused_by_id(request.org_id, request.principal_id, exc)
        raise


@functions_framework.http
def rewrite_join_details(request: flask.Request) -> flask.Response:
    """Pub/Sub push entry point: bring one event's join block in line with its keyword."""
    return handle_push("rewrite_join_details", request, {RewriteJoinDetails: _handle})
