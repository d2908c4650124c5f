"""Pub/Sub (user-provisioning): validate and activate, or deactivate, a principal."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.bootstrap import get_app
from shared.messages import ProvisionUser
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    get_app().provisioning.run(ProvisionUser.decode(message.data), message.delivery_attempt)


@functions_framework.cloud_event
def provision_user(event: CloudEvent) -> None:
    """Pub/Sub entry point: carry out one provisioning action."""
    handle_event("provision_user", event, _handle)
