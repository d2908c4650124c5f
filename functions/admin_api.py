"""The admin API under /admin/v1: orgs, users, rooms and devices (HTTP).

IAM protects this function in the cloud; the local runtime asks for the admin token.
"""

from __future__ import annotations

import flask
import functions_framework

from shared.api.admin import router
from shared.bootstrap import get_app


@functions_framework.http
def admin_api(request: flask.Request) -> flask.Response:
    """HTTP entry point: route to the admin API."""
    app = get_app()
    return router.dispatch(request, service=app.provisioning, stores=app.stores)
