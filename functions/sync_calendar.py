"""Pub/Sub push (calendar-sync): incremental sync of one calendar into the encrypted store."""

from __future__ import annotations

import flask
import functions_framework

from functions._common import handle_push
from shared.bootstrap import App
from shared.messages import SyncCalendar
from shared.ports import BusMessage


def _handle(app: App, request: SyncCalendar, message: BusMessage) -> None:
    if request.reason == "stop_channel":
        if request.channel_id:
            app.channels.stop_unwanted(request.org_id, request.principal_id, request.channel_id, request.resource_id)
        return
    app.sync.sync(
        request.org_id, request.principal_id, force_full=request.reason == "full", attempt=message.delivery_attempt
    )


@functions_framework.http
def sync_calendar(request: flask.Request) -> flask.Response:
    """Pub/Sub push entry point: sync the calendar the message names."""
    return handle_push("sync_calendar", request, SyncCalendar, _handle)
