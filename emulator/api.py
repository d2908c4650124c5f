"""Plumbing shared by the Google-compatible blueprints: auth, scopes, faults, JSON in and out.

Decorate a view with :func:`google_api` and the method id; it checks the bearer token and its
scopes, applies injected faults, and names the call for the request log.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import orjson
from flask import Flask, Response, current_app, g, request

from emulator.discovery import enum_parameters, scopes_allow
from emulator.errors import auth_error, insufficient_permissions, invalid, parse_error
from emulator.model import AccessToken
from emulator.schema import clean
from emulator.state import EmulatorState

F = TypeVar("F", bound=Callable[..., Any])

STATE_KEY = "emulator_state"


def current_state() -> EmulatorState:
    """Return the state of the app serving this request."""
    return cast(EmulatorState, current_app.extensions[STATE_KEY])


def caller() -> AccessToken:
    """Return the access token of the current API call."""
    return cast(AccessToken, g.token)


def authenticate(state: EmulatorState, header: str | None) -> AccessToken:
    """Return the live access token in an ``Authorization`` header, or raise Google's 401."""
    if not header:
        raise auth_error(missing=True)
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise auth_error()
    with state.lock:
        token = state.tokens.get(value.strip())
        if token is None or token.expires_at <= state.now():
            raise auth_error()
        return token


def google_api(operation: str) -> Callable[[F], F]:
    """Wrap a view as Google method ``operation``: auth, scope check, faults, logging."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.operation = operation
            state = current_state()
            token = authenticate(state, request.headers.get("Authorization"))
            g.token = token
            g.subject = token.subject
            if not scopes_allow(operation, token.scopes):
                raise insufficient_permissions()
            latency = state.faults.check(operation, token.subject, state.now())
            if latency > 0:
                time.sleep(latency)
            _check_enums(operation)
            return view(*args, **kwargs)

        wrapper.operation = operation  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def served_operations(app: Flask) -> set[str]:
    """The Google method ids ``app`` answers (every view made with :func:`google_api`)."""
    return {str(view.operation) for view in app.view_functions.values() if hasattr(view, "operation")}


def _check_enums(operation: str) -> None:
    for name, allowed in enum_parameters(operation).items():
        for value in request.args.getlist(name):
            if value not in allowed:
                raise invalid(f"Invalid value for: {name} ({value})", name)


def schema_body(api: str, schema_name: str) -> dict[str, Any]:
    """Parse the body and read it into ``schema_name`` as Google does (see :mod:`emulator.schema`)."""
    return clean(api, schema_name, json_body())


def json_body(required_object: bool = True) -> dict[str, Any]:
    """Parse the request body as a JSON object, answering Google's ``parseError`` if bad."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise parse_error(f"Invalid JSON payload received. {exc}") from exc
    if not isinstance(value, dict):
        if required_object:
            raise parse_error("Invalid JSON payload received. Expected an object.")
        return {}
    return value


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return a JSON response (compact, UTF-8) like Google's."""
    if status == 204:
        return Response(status=204, headers=headers)
    try:
        text: bytes | str = orjson.dumps(body)  # compact UTF-8, as json.dumps(ensure_ascii=False) writes it
    except TypeError:  # what orjson refuses (integers past 64 bits, keys that are not strings)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = Response(text, status=status, mimetype="application/json", headers=headers)
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    return response
