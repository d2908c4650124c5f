"""Pub/Sub (vacation-check): read vacation responders and set presence."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from functions._common import handle_event
from shared.bootstrap import get_app
from shared.messages import CheckVacation
from shared.ports import BusMessage


def _handle(message: BusMessage) -> None:
    get_app().presence.check(CheckVacation.decode(message.data))


@functions_framework.cloud_event
def check_vacation(event: CloudEvent) -> None:
    """Pub/Sub entry point: check one batch of principals."""
    handle_event("check_vacation", event, _handle)
