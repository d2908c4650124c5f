"""Pub/Sub (user-provisioning): validate and activate, or deactivate, a principal."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.errors import NotImplementedCapability
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    raise NotImplementedCapability("user provisioning")


@functions_framework.cloud_event
def provision_user(event: CloudEvent) -> None:
    """Pub/Sub entry point; acknowledges with a warning until user provisioning lands."""
    handle_event("provision_user", event, _handle)
