"""Shared HTTP plumbing for the JSON APIs: bounded JSON bodies, errors as JSON, one status per error.

Every error leaves as a JSON body with a 4xx (or 503 for retryable trouble); nothing a client
sends can produce a traceback or a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import flask
import orjson
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as RouteNotFound

from shared.errors import (
    Conflict,
    Forbidden,
    HybridCalendarError,
    InvalidInput,
    NotFound,
    NotImplementedCapability,
    PreconditionFailed,
    RetryableError,
    Unauthenticated,
)
from shared.logs import ctx, get_logger

if TYPE_CHECKING:
    import pydantic

    from shared.services.webhook import Outcome

log = get_logger(__name__)
MAX_BODY = 256 * 1024
MAX_DEPTH = 32
API_PREFIXES = ("/v1", "/admin/v1")
M = TypeVar("M", bound="pydantic.BaseModel")  # pydantic loads with the APIs' models, not here

STATUS: tuple[tuple[type[HybridCalendarError], int], ...] = (
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (NotImplementedCapability, 501),
    (RetryableError, 503),
)


# datetimes and dataclasses go through ``default=str`` as with ``json.dumps``, so the JSON is the same value
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(body: Any) -> bytes:
    """``body`` as JSON bytes with orjson (the stdlib encoder for what orjson refuses, e.g. huge ints)."""
    try:
        return orjson.dumps(body, default=str, option=_ORJSON)
    except orjson.JSONEncodeError:
        return json.dumps(body, default=str).encode("utf-8")


def respond(body: Any, status: int = 200) -> flask.Response:
    """A JSON response."""
    return flask.Response(dumps(body), status=status, mimetype="application/json")


def error(code: str, message: str, status: int, **extra: Any) -> flask.Response:
    """A JSON error response."""
    return respond({"error": {"code": code, "message": message, **extra}}, status)


def status_for(exc: HybridCalendarError) -> int:
    """The HTTP status for an error of our tree."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


WEBHOOK_STATUS: Mapping[str, int] = {
    "body_too_large": 400,
    "missing_channel_headers": 400,
    "invalid_channel_headers": 400,
    "token_mismatch": 403,
}
"""The HTTP status of a push notification's outcome, by its value (200 for any other); keyed by value so
the function's router does not import the use case."""


def webhook_status(outcome: Outcome) -> int:
    """The HTTP status the webhook answers for ``outcome``."""
    return WEBHOOK_STATUS.get(outcome, 200)


def routing_error(exc: HTTPException) -> flask.Response:
    """The JSON answer for a request no route takes: 404, 405 or another 4xx."""
    if isinstance(exc, MethodNotAllowed):
        return error("method_not_allowed", "this method is not allowed here", 405)
    if isinstance(exc, RouteNotFound):
        return error("not_found", "no such route", 404)
    return error("bad_request", exc.description or "bad request", exc.code or 400)


def http_error(exc: HTTPException) -> flask.Response | HTTPException:
    """Flask's error handler for the functions: inside the API namespaces every error is JSON.

    It answers what the function's own router never sees, such as a path Werkzeug cannot route
    (a newline in it); elsewhere (the web page, the room display) the error stays as it is.
    """
    path = flask.request.path
    inside = any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)
    if inside and (exc.code or 500) < 500:
        return routing_error(exc)
    return exc


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse(model: type[M], request: flask.Request) -> M:
    """Read a bounded JSON body (size and nesting) into ``model``, strictly; InvalidInput with the first problem.

    Strict: no coercion, so ``true`` is not an integer and ``"5"`` is not a number.
    """
    from pydantic import ValidationError  # loaded already: ``model`` is a pydantic model

    if request.content_length is not None and request.content_length > MAX_BODY:
        raise InvalidInput(f"the body is larger than {MAX_BODY} bytes")
    raw = request.stream.read(MAX_BODY + 1) or b"{}"
    if len(raw) > MAX_BODY:
        raise InvalidInput(f"the body is larger than {MAX_BODY} bytes")
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidInput(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not valid JSON") from None
    if _depth(data) > MAX_DEPTH:
        raise InvalidInput(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}") from None


def validation_error(exc: pydantic.ValidationError) -> flask.Response:
    """The library's validation errors as our error body: 400 ``invalid_input`` with the first problem."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "request"
    return error("invalid_input", f"{where}: {first['msg']}", 400)


def api_error(exc: HybridCalendarError) -> flask.Response:
    """A HybridCalendarError as its JSON answer with the status ``status_for`` gives (503s are logged)."""
    status = status_for(exc)
    if status >= 500:
        log.warning("api call failed", extra=ctx(api=flask.g.get("api_name"), error_code=exc.code))
    return respond(exc.to_dict(), status)


def query_param(args: Mapping[str, str], name: str, choices: tuple[str, ...] | None = None) -> str | None:
    """One optional query parameter, checked against ``choices``."""
    value = args.get(name)
    if value is not None and choices is not None and value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)}")
    return value
