"""The app API under /v1, its OpenAPI document, the web page and the device view (HTTP)."""

from __future__ import annotations

import flask
import functions_framework

from shared.api.app import router
from shared.bootstrap import get_app
from shared.logs import bound


@functions_framework.http
def meetings_api(request: flask.Request) -> flask.Response:
    """HTTP entry point: route to the app API, the web page or the room display."""
    app = get_app()
    with bound(function="meetings_api"):
        return router.dispatch(request, api=app.meetings_api)
