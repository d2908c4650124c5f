"""Pub/Sub (join-rewrite): write, replace or remove join details on the organiser's event."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.errors import NotImplementedCapability
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    raise NotImplementedCapability("join-detail rewriting")


@functions_framework.cloud_event
def rewrite_join_details(event: CloudEvent) -> None:
    """Pub/Sub entry point; acknowledges with a warning until join-detail rewriting lands."""
    handle_event("rewrite_join_details", event, _handle)
