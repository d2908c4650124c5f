"""Pub/Sub (join-rewrite): write, replace or remove join details on the organiser's event."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.bootstrap import get_app
from shared.messages import RewriteJoinDetails
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    request = RewriteJoinDetails.decode(message.data)
    get_app().rewrite.rewrite(request.org_id, request.principal_id, request.event_id)


@functions_framework.cloud_event
def rewrite_join_details(event: CloudEvent) -> None:
    """Pub/Sub entry point: bring one event's join block in line with its keyword."""
    handle_event("rewrite_join_details", event, _handle)
