"""Pub/Sub (vacation-check): read vacation responders and set presence."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.errors import NotImplementedCapability
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    raise NotImplementedCapability("vacation checks")


@functions_framework.cloud_event
def check_vacation(event: CloudEvent) -> None:
    """Pub/Sub entry point; acknowledges with a warning until vacation checks lands."""
    handle_event("check_vacation", event, _handle)
