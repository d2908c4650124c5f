"""Pub/Sub (calendar-sync): incremental sync of one calendar into the encrypted store."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.bootstrap import get_app
from shared.messages import SyncCalendar
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    request = SyncCalendar.decode(message.data)
    app = get_app()
    if request.reason == "stop_channel":
        if request.channel_id:
            app.channels.stop_unwanted(request.org_id, request.principal_id, request.channel_id, request.resource_id)
        return
    app.sync.sync(
        request.org_id, request.principal_id, force_full=request.reason == "full", attempt=message.delivery_attempt
    )


@functions_framework.cloud_event
def sync_calendar(event: CloudEvent) -> None:
    """Pub/Sub entry point: sync the calendar the message names."""
    handle_event("sync_calendar", event, _handle)
