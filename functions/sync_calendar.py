"""Pub/Sub push (calendar-sync): incremental sync of one calendar into the encrypted store, and
the stop of a channel Google still sends to (its own message on the calendar's queue)."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import handle_push
from shared.bootstrap import App
from shared.errors import Forbidden, Unauthenticated
from shared.ports import BusMessage
from shared.ports.messages import StopChannel, SyncCalendar


def _sync(app: App, request: SyncCalendar, message: BusMessage) -> None:
    try:
        app.sync.sync(
            request.org_id, request.principal_id, force_full=request.reason == "full", attempt=message.delivery_attempt
        )
    except (Forbidden, Unauthenticated) as exc:  # a revoked delegation, say: the principal's state says so at once
        app.delegation.refused_by_id(request.org_id, request.principal_id, exc)
        raise


def _stop(app: App, request: StopChannel, message: BusMessage) -> None:
    app.channels.stop_unwanted(request.org_id, request.principal_id, request.channel_id, request.resource_id)


@functions_framework.http
def sync_calendar(request: flask.Request) -> flask.Response:
    """Pub/Sub push entry point: sync the calendar the message names (or stop a channel Google still uses)."""
    return handle_push("sync_calendar", request, {SyncCalendar: _sync, StopChannel: _stop})
