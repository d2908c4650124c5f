"""Shared HTTP plumbing for the JSON APIs: routing and OpenAPI (flask-openapi3), bounded JSON bodies, errors as JSON.

Every error leaves as a JSON body with a 4xx (or 503 for retryable trouble); nothing a client
sends can produce a traceback or a 500.
"""

from __future__ import annotations

import functools
import inspect
import json
import threading
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import flask
import orjson
import pydantic
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
    from flask_openapi3.openapi import OpenAPI

log = get_logger(__name__)
MAX_BODY = 256 * 1024
MAX_DEPTH = 32
API_PREFIXES = ("/v1", "/admin/v1")
M = TypeVar("M", bound=pydantic.BaseModel)
View = Callable[..., flask.Response]
V = TypeVar("V", bound=View)
Guard = Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]
"""Runs before a view's arguments are read (authentication): adds to the context, or raises."""
Errors = Callable[[dict[str, Any], HybridCalendarError], flask.Response]

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
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{where}: {first['msg']}") from None


@dataclass(frozen=True, slots=True)
class Route:
    """One route of an API: where, which view, and what its OpenAPI operation says."""

    method: str
    path: str
    view: View
    doc: dict[str, Any]
    guard: Guard | None
    errors: Errors | None


class Api:
    """The routes of one function, served and documented by a flask-openapi3 app built on first use.

    Views name what they need as parameters: ``request``, a context value the entry point passes
    (``api``, ``service``, ...), a URL variable, or ``path``/``query``/``body`` annotated with a
    pydantic model (documented by the library; ``body`` is read by :func:`parse`, bounded and
    strict). The app (and the library's import) waits for the first request, and the document
    for the first ``openapi.json``.
    """

    def __init__(self, name: str, info: dict[str, str], schemes: dict[str, Any], **extensions: Any) -> None:
        self.name, self.info, self.schemes, self.extensions = name, info, schemes, extensions
        self.routes: list[Route] = []
        self._app: OpenAPI | None = None
        self._lock = threading.Lock()

    def route(
        self, method: str, path: str, *, guard: Guard | None = None, errors: Errors | None = None, **doc: Any
    ) -> Callable[[V], V]:
        """Add a view for ``method`` on ``path``; ``doc`` holds the operation's OpenAPI fields (none: undocumented).

        ``guard`` runs first (authentication); ``errors`` answers this route's errors its own way.
        """

        def add(view: V) -> V:
            self.routes.append(Route(method, path, view, doc, guard, errors))
            return view

        return add

    def app(self) -> OpenAPI:
        """The flask-openapi3 app serving these routes (built once)."""
        with self._lock:
            if self._app is None:
                self._app = _build(self)
            return self._app

    def document(self) -> dict[str, Any]:
        """The generated OpenAPI 3.1 document."""
        return self.app().api_doc

    def dispatch(self, request: flask.Request, **context: Any) -> flask.Response:
        """Answer ``request`` with this API's app; ``context`` reaches the views that name it."""
        from flask.ctx import RequestContext

        app = self.app()
        with RequestContext(app, request.environ, request=request):  # one request object: one body stream
            flask.g.context = context
            flask.g.api_name = self.name
            return app.full_dispatch_request()


_MODELLED = ("path", "query", "header", "body")


def validation_error(exc: pydantic.ValidationError) -> flask.Response:
    """The library's validation errors as our error body: 400 ``invalid_input`` with the first problem."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "request"
    return error("invalid_input", f"{where}: {first['msg']}", 400)


def _our_error(exc: HybridCalendarError) -> flask.Response:
    status = status_for(exc)
    if status >= 500:
        log.warning("api call failed", extra=ctx(api=flask.g.get("api_name"), error_code=exc.code))
    return respond(exc.to_dict(), status)


def _models(view: View, names: list[str]) -> dict[str, type[pydantic.BaseModel]]:
    """The models a view's ``path``, ``query``, ``header`` and ``body`` parameters are annotated with."""
    wanted = [name for name in names if name in _MODELLED]
    annotations = {name: view.__annotations__[name] for name in wanted}
    return typing.get_type_hints(_Hints(annotations), globalns=getattr(view, "__globals__", None))


class _Hints:
    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


def _aliases(model: type[pydantic.BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _view(route: Route) -> Callable[..., flask.Response]:
    """``route.view`` as a Flask view: guard, then each named argument from the request, the context or the URL."""
    names = list(inspect.signature(route.view).parameters)
    hints = _models(route.view, names)

    @functools.wraps(route.view)
    def call(**url: str) -> flask.Response:
        context: dict[str, Any] = dict(flask.g.context)
        if route.errors is None:
            return answer(context, url)
        try:
            return answer(context, url)
        except HybridCalendarError as exc:
            return route.errors(context, exc)

    def answer(context: dict[str, Any], url: dict[str, str]) -> flask.Response:
        if route.guard is not None:
            context.update(route.guard(context, url))
        args: dict[str, Any] = {}
        try:
            for name in names:
                if name == "request":
                    args[name] = flask.request
                elif name == "path":
                    args[name] = hints[name].model_validate(url)
                elif name == "query":
                    args[name] = hints[name].model_validate(flask.request.args.to_dict())
                elif name == "header":
                    given = {a: flask.request.headers[a] for a in _aliases(hints[name]) if a in flask.request.headers}
                    args[name] = hints[name].model_validate(given)
                elif name == "body":
                    args[name] = parse(hints[name], flask.request)
                else:
                    args[name] = url[name] if name in url else context[name]
        except pydantic.ValidationError as exc:
            return validation_error(exc)
        return route.view(**args)

    call.__annotations__ = dict(hints)  # what the library documents: the models only
    call.__delay_validate_request__ = True  # type: ignore[attr-defined]  # the arguments above are ours
    call.provide_automatic_options = False  # type: ignore[attr-defined]  # OPTIONS answers 405, as before
    return call


def _build(api: Api) -> OpenAPI:
    from flask_openapi3.models.info import Info
    from flask_openapi3.openapi import OpenAPI

    from shared.api.app_models import ErrorOut

    app = OpenAPI(
        api.name,
        info=Info.model_validate(api.info),
        security_schemes=api.schemes,
        openapi_extensions={"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema", **api.extensions},
        validation_error_status=400,
        validation_error_model=ErrorOut,
        validation_error_callback=validation_error,
        doc_ui=False,
        static_folder=None,
    )
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.register_error_handler(HybridCalendarError, _our_error)
    app.register_error_handler(HTTPException, routing_error)
    for n, route in enumerate(api.routes):
        doc = dict(route.doc)
        add = getattr(app, route.method.lower())
        endpoint = f"{route.view.__name__}_{n}"
        add(route.path, endpoint=endpoint, doc_ui=bool(doc), **doc)(_view(route))
    return app


def query_param(args: Mapping[str, str], name: str, choices: tuple[str, ...] | None = None) -> str | None:
    """One optional query parameter, checked against ``choices``."""
    value = args.get(name)
    if value is not None and choices is not None and value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)}")
    return value
