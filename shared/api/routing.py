"""Routing and OpenAPI for the JSON APIs: flask-openapi3 apps declared route by route, built on first use.

``Api`` gathers one function's routes; the first request builds the library's app (and imports it),
and the first ``openapi.json`` makes the library generate the document from the routes' models.
"""

from __future__ import annotations

import functools
import inspect
import threading
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import flask
import msgspec
import pydantic
from werkzeug.exceptions import HTTPException

from shared.api.http import api_error, parse, routing_error, validation_error
from shared.errors import HybridCalendarError

if TYPE_CHECKING:
    from flask_openapi3.openapi import OpenAPI

View = Callable[..., flask.Response | None]
"""A route's view: its answer, or None for ``204 No Content``."""
V = TypeVar("V", bound=View)
Guard = Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]
"""Runs before a view's arguments are read (authentication): adds to the context, or raises."""
Errors = Callable[[dict[str, Any], HybridCalendarError], flask.Response]
_MODELLED = ("path", "query", "header", "body")


class Route(msgspec.Struct, frozen=True):
    """One route of an API: where, which view, and what its OpenAPI operation says (empty: undocumented).

    ``guard`` runs before the view's arguments are read; ``errors`` answers the route's errors its own way.
    """

    method: str
    path: str
    view: View
    doc: dict[str, Any]
    guard: Guard | None = None
    errors: Errors | None = None


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
        self._documented: OpenAPI | None = None
        self._lock = threading.Lock()

    def route(
        self, method: str, path: str, *, guard: Guard | None = None, errors: Errors | None = None, **doc: Any
    ) -> Callable[[V], V]:
        """Add a view for ``method`` on ``path``; ``doc`` holds the operation's OpenAPI fields (none: undocumented).

        ``guard`` runs first (authentication); ``errors`` answers this route's errors its own way.
        """

        def add(view: V) -> V:
            self.routes.append(Route(method, path, view, _described(doc, view), guard, errors))
            return view

        return add

    def app(self) -> OpenAPI:
        """The flask-openapi3 app serving these routes (built once)."""
        with self._lock:
            if self._app is None:
                self._app = _build(self, documented=False)
            return self._app

    def document(self) -> dict[str, Any]:
        """The generated OpenAPI 3.1 document (from a twin of the app whose routes carry their operations)."""
        with self._lock:
            if self._documented is None:
                self._documented = _build(self, documented=True)
        return self._documented.api_doc

    def dispatch(self, request: flask.Request, **context: Any) -> flask.Response:
        """Answer ``request`` with this API's app; ``context`` reaches the views that name it."""
        from flask.ctx import RequestContext

        app = self.app()
        with RequestContext(app, request.environ, request=request):  # one request object: one body stream
            flask.g.context = context
            flask.g.api_name = self.name
            return app.full_dispatch_request()


def _described(doc: dict[str, Any], view: View) -> dict[str, Any]:
    """A route's operation with the summary (first paragraph) and description (the rest) of its view's docstring."""
    if not doc or "summary" in doc:
        return doc
    summary, _, description = inspect.cleandoc(view.__doc__ or "").partition("\n\n")
    return {**doc, "summary": " ".join(summary.split()), "description": " ".join(description.split()) or None}


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
        result = route.view(**args)
        return flask.Response(status=204) if result is None else result

    call.__annotations__ = dict(hints)  # what the library documents: the models only
    call.__delay_validate_request__ = True  # type: ignore[attr-defined]  # the arguments above are ours
    call.provide_automatic_options = False  # type: ignore[attr-defined]  # OPTIONS answers 405, as before
    return call


def _build(api: Api, *, documented: bool) -> OpenAPI:
    """The library's app; ``documented`` adds each route's operation (the schema work a request does not need)."""
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
    app.register_error_handler(HybridCalendarError, api_error)
    app.register_error_handler(HTTPException, routing_error)
    for n, route in enumerate(api.routes):
        doc = dict(route.doc)
        add = getattr(app, route.method.lower())
        endpoint = f"{route.view.__name__}_{n}"
        add(route.path, endpoint=endpoint, doc_ui=documented and bool(doc), **doc)(_view(route))
    return app
