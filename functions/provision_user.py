"""Pub/Sub push (user-provisioning): validate and activate, or deactivate, a principal.

The delivery attempt matters here: on the last one, Google still unavailable puts the
principal in ``error``/``unavailable`` and a deactivation destroys the data regardless.
"""

from __future__ import annotations

import flask
import functions_framework

from functions._common import handle_push
from shared.bootstrap import App
from shared.ports import BusMessage
from shared.ports.messages import ProvisionUser


def _handle(app: App, request: ProvisionUser, message: BusMessage) -> None:
    app.provisioning.run(request, message.delivery_attempt)


@functions_framework.http
def provision_user(request: flask.Request) -> flask.Response:
    """Pub/Sub push entry point: carry out one provisioning action."""
    return handle_push("provision_user", request, {ProvisionUser: _handle})
