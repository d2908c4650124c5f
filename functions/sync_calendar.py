"""Pub/Sub (calendar-sync): incremental sync of one calendar into the encrypted store."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.errors import NotImplementedCapability
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    raise NotImplementedCapability("calendar sync")


@functions_framework.cloud_event
def sync_calendar(event: CloudEvent) -> None:
    """Pub/Sub entry point; acknowledges with a warning until calendar sync lands."""
    handle_event("sync_calendar", event, _handle)
