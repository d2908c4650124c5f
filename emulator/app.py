"""The Flask app factory: one blueprint per surface, Google-format errors, request logging.

Add a surface by appending its blueprint to :data:`BLUEPRINTS` or passing it to
:func:`create_app` (Cloud KMS, an OIDC issuer and a Webex meetings API are planned that way).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from emulator import (
    calendar,
    calendar_extras,
    calendar_list,
    calendars,
    colors,
    control,
    control_ops,
    event_moves,
    gmail,
    iam,
    oauth,
    oidc,
    secretmanager,
    watches,
    webex,
)
from emulator.api import STATE_KEY, reply
from emulator.errors import ApiError, parse_error
from emulator.kms import KmsState, kms_blueprint
from emulator.requestlog import LoggedRequest
from emulator.state import EmulatorState
from emulator.timeutil import format_rfc3339

log = logging.getLogger(__name__)

BLUEPRINTS: tuple[Blueprint, ...] = (
    oauth.bp,
    event_moves.bp,
    calendar.bp,
    calendar_extras.bp,
    calendars.bp,
    calendar_list.bp,
    colors.bp,
    watches.bp,
    gmail.bp,
    control.bp,
    control_ops.bp,
    oidc.bp,
    iam.bp,
    webex.bp,
)

_HTTP_REASONS = {404: "notFound", 405: "httpMethodNotAllowed", 413: "uploadTooLarge"}


def create_app(state: EmulatorState | None = None, extra_blueprints: Iterable[Blueprint] = ()) -> Flask:
    """Return the emulator's WSGI app around ``state`` (a fresh one when omitted)."""
    app = Flask("emulator")
    app.extensions[STATE_KEY] = state if state is not None else EmulatorState()
    kms_state = KmsState()
    app.extensions["kms"] = kms_state
    secret_state = secretmanager.SecretState(app.extensions[STATE_KEY].now)
    app.extensions["secrets"] = secret_state
    surfaces = (kms_blueprint(kms_state), secretmanager.rest_blueprint(secret_state))
    for blueprint in (*BLUEPRINTS, *surfaces, *extra_blueprints):
        app.register_blueprint(blueprint)
    _install_handlers(app)
    return app


def _install_handlers(app: Flask) -> None:
    state: EmulatorState = app.extensions[STATE_KEY]

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        g.reason = exc.reason
        return reply(exc.body(), exc.code, exc.headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        if code == 400:
            error = parse_error(f"Invalid request: {exc.description}")
        else:
            error = ApiError(code, _HTTP_REASONS.get(code, "badRequest"), exc.name)
        return api_error(error)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Anything else escaped while handling the request: answer 400 like Google does for
        # input it cannot parse, and remember it so tests can fail on it.
        log.exception("unexpected error on %s %s", request.method, request.path)
        state.unexpected_errors.append(f"{request.method} {request.path}: {exc!r}")
        return api_error(ApiError(400, "badRequest", "Bad Request"))

    @app.after_request
    def record(response: Response) -> Response:
        operation = g.get("operation")
        if operation:
            state.log.add(
                LoggedRequest(
                    operation=operation,
                    subject=g.get("subject"),
                    status=response.status_code,
                    method=request.method,
                    path=request.path,
                    time=format_rfc3339(state.now()),
                    reason=g.get("reason"),
                )
            )
        return response
