"""The OpenAPI 3.1 document of the app API, generated from the routes and the pydantic models.

Each route registers an :class:`Operation` (path, method, who may call it, request and response
models, parameters); ``document()`` turns them into ``/v1/openapi.json`` with JSON Schema
2020-12 component schemas, so the document cannot drift from the code that serves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

import shared
from shared.api.app_models import ErrorOut

Auth = Literal["user", "device", "none"]
_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter."""

    name: str
    description: str
    required: bool = False
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True, slots=True)
class Operation:
    """One documented operation."""

    path: str
    method: str
    operation_id: str
    summary: str
    auth: Auth
    status: int = 200
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: tuple[Param, ...] = ()
    stream: bool = False

    @property
    def openapi_path(self) -> str:
        """The path with ``{name}`` parameters."""
        return _PARAM.sub(r"{\1}", self.path)

    @property
    def path_params(self) -> list[str]:
        """Names of the path parameters."""
        return _PARAM.findall(self.path)


OPERATIONS: list[Operation] = []
_ERRORS = {
    "400": "Bad input (range, JSON, size, ids).",
    "401": "No or invalid credentials.",
    "403": "Authenticated, but not allowed.",
    "404": "Unknown or not yours.",
}


def register(op: Operation) -> None:
    """Add an operation to the document (once)."""
    if all((o.path, o.method) != (op.path, op.method) for o in OPERATIONS):
        OPERATIONS.append(op)


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True, mode="serialization")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _request_ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True, mode="validation")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": _ref(ErrorOut, schemas)}}}
    responses: dict[str, Any] = {}
    if op.stream:
        responses[str(op.status)] = {
            "description": "Server-Sent Events: `join_button` and `presence` events, heartbeats as comments.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    elif op.response is not None:
        responses[str(op.status)] = {
            "description": "OK",
            "content": {"application/json": {"schema": _ref(op.response, schemas)}},
        }
    else:
        responses[str(op.status)] = {"description": "Done; no body."}
    for status, text in _ERRORS.items():
        responses[status] = {"description": text, **error}
    responses["default"] = {"description": "Other errors (409, 412, 501, 503), same body.", **error}
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in op.path_params
    ]
    params += [
        {"name": p.name, "in": "query", "required": p.required, "description": p.description, "schema": p.schema}
        for p in op.query
    ]
    if op.stream:
        params.append(
            {
                "name": "Last-Event-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Resume after this event id.",
            }
        )
    body: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "responses": responses}
    if params:
        body["parameters"] = params
    if op.request is not None:
        body["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _request_ref(op.request, schemas)}},
        }
    body["security"] = {"user": [{"idToken": []}], "device": [{"deviceToken": []}], "none": []}[op.auth]
    return body


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        if op.auth == "none" and not op.path.startswith("/v1/"):
            continue
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Hybrid Calendar app API",
            "version": shared.__version__,
            "description": "My meetings, join buttons, scheduling, RSVP, availability, delegates and presence. "
            "Users send a Google-signed ID token; room devices send their device token.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "idToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Google-signed OpenID Connect ID token for the configured client id.",
                },
                "deviceToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Device <token>`: a room device's token.",
                },
            },
        },
    }
