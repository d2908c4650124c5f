"""The admin API under /admin/v1: orgs, users, rooms and devices (HTTP).

IAM guards this function in the cloud, and the function asks for the admin token itself
(``Authorization: Bearer``; Secret Manager provides it as ``HYBRIDCAL_ADMIN_TOKEN``).
"""

from __future__ import annotations

import flask
import functions_framework

from functions._common import admin_only
from shared.api.admin import router
from shared.api.admin_routing import admin_context


@functions_framework.http
def admin_api(request: flask.Request) -> flask.Response:
    """HTTP entry point: check the admin token, then route to the admin API."""
    return admin_only("admin_api", request, lambda app: router.dispatch(request, **admin_context(app)))
