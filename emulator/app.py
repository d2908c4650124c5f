"""The Flask app factory: one blueprint per surface, Google-format errors, request logging.

A surface is a subpackage (``calendar``, ``gmail``, ``webex``, ``kms``, ``secretmanager``);
:func:`create_app` imports only the surfaces it is asked to serve, so a Calendar-only start never
imports ``grpc`` (only Cloud KMS and Secret Manager need it). The control plane and identity
(OAuth2 tokens, the OIDC issuer, IAM Credentials, service accounts) are always served.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from emulator import control, control_ops
from emulator.api import STATE_KEY, reply
from emulator.errors import ApiError, parse_error
from emulator.identity import control as identity_control
from emulator.identity import iam, oauth, oidc
from emulator.requestlog import LoggedRequest
from emulator.state import EmulatorState
from emulator.timeutil import format_rfc3339

log = logging.getLogger(__name__)

CORE: tuple[Blueprint, ...] = (oauth.bp, control.bp, control_ops.bp, identity_control.bp, oidc.bp, iam.bp)


def _calendar(app: Flask) -> tuple[Blueprint, ...]:
    from emulator.calendar import calendar_list, calendars, colors, event_moves, events_api, extras, watches
    from emulator.calendar import control as calendar_control

    return (
        event_moves.bp,
        events_api.bp,
        extras.bp,
        calendars.bp,
        calendar_list.bp,
        colors.bp,
        watches.bp,
        calendar_control.bp,
    )


def _gmail(app: Flask) -> tuple[Blueprint, ...]:
    from emulator.gmail import control as gmail_control
    from emulator.gmail import vacation

    return (vacation.bp, gmail_control.bp)


def _webex(app: Flask) -> tuple[Blueprint, ...]:
    from emulator.webex import meetings

    return (meetings.bp,)


def _kms(app: Flask) -> tuple[Blueprint, ...]:
    from emulator.kms import KmsState, kms_blueprint

    kms_state = app.extensions["kms"] = KmsState()
    return (kms_blueprint(kms_state),)


def _secretmanager(app: Flask) -> tuple[Blueprint, ...]:
    from emulator.secretmanager import SecretState, rest_blueprint

    secret_state = app.extensions["secrets"] = SecretState(app.extensions[STATE_KEY].now)
    return (rest_blueprint(secret_state),)


SURFACES: dict[str, Callable[[Flask], tuple[Blueprint, ...]]] = {
    "calendar": _calendar,
    "gmail": _gmail,
    "webex": _webex,
    "kms": _kms,
    "secretmanager": _secretmanager,
}
"""Each optional surface by name, with the function that builds its blueprints (importing it)."""

GRPC_SURFACES = frozenset({"kms", "secretmanager"})
"""The surfaces that need the ``grpc`` extra."""

_HTTP_REASONS = {404: "notFound", 405: "httpMethodNotAllowed", 413: "uploadTooLarge"}


def create_app(
    state: EmulatorState | None = None,
    extra_blueprints: Iterable[Blueprint] = (),
    surfaces: Iterable[str] = tuple(SURFACES),
) -> Flask:
    """Return the emulator's WSGI app around ``state`` (a fresh one when omitted) serving ``surfaces``
    (every one by default); an unknown surface name raises ``ValueError``."""
    chosen = tuple(dict.fromkeys(surfaces))
    unknown = [name for name in chosen if name not in SURFACES]
    if unknown:
        raise ValueError(f"unknown emulator surface(s): {', '.join(unknown)} (known: {', '.join(SURFACES)})")
    app = Flask("emulator")
    app.extensions[STATE_KEY] = state if state is not None else EmulatorState()
    app.extensions["surfaces"] = frozenset(chosen)
    blueprints = [blueprint for name in chosen for blueprint in SURFACES[name](app)]
    for blueprint in (*CORE, *blueprints, *extra_blueprints):
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
