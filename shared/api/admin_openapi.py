"""The OpenAPI 3.1 document of the admin API (``GET /admin/v1/openapi.json``), built from the pydantic models.

``ROUTES`` lists every operation the admin router serves with its request and response models,
so the document follows the code; a test checks each route of the router appears here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

import shared
from shared.api.admin_health import AlertHookCreate, AlertHookList, AlertHookOut, AlertList, AlertOut, HealthOut
from shared.api.admin_models import (
    ActivatedOut,
    DeadLettersOut,
    DeviceCreate,
    DeviceList,
    DeviceOut,
    DeviceTokenOut,
    OrgCreate,
    OrgFields,
    OrgList,
    OrgOut,
    PrincipalCreate,
    PrincipalDetailOut,
    PrincipalList,
    PrincipalOut,
)
from shared.api.app_models import ErrorOut

PREFIX = "/admin/v1"
_ORG = {"name": "org", "in": "path", "required": True, "schema": {"type": "string"}, "description": "The org id."}
_EMAIL = {"name": "email", "in": "path", "required": True, "schema": {"type": "string", "format": "email"}}
_HOOK = {"name": "hook_id", "in": "path", "required": True, "schema": {"type": "string"}}
_DEVICE = {"name": "device_id", "in": "path", "required": True, "schema": {"type": "string"}}
_KIND = {"name": "kind", "in": "query", "required": False, "schema": {"enum": ["person", "room"]}}
_STATE = {
    "name": "state",
    "in": "query",
    "required": False,
    "schema": {"enum": ["pending", "validating", "active", "error", "deactivated"]},
}


@dataclass(frozen=True, slots=True)
class Route:
    """One documented operation of the admin API."""

    method: str
    path: str
    operation_id: str
    summary: str
    status: int
    response: type[BaseModel] | None
    request: type[BaseModel] | None = None
    params: tuple[dict[str, Any], ...] = ()


ROUTES: tuple[Route, ...] = (
    Route("post", "/orgs", "createOrg", "Create an org (a domain and a credential).", 201, OrgOut, OrgCreate),
    Route("get", "/orgs", "listOrgs", "List the orgs.", 200, OrgList),
    Route("get", "/orgs/{org}", "getOrg", "Read an org.", 200, OrgOut, params=(_ORG,)),
    Route("patch", "/orgs/{org}", "updateOrg", "Change an org's settings.", 200, OrgOut, OrgFields, (_ORG,)),
    Route(
        "post",
        "/orgs/{org}/principals",
        "activatePrincipal",
        "Activate a person or a room; validation runs asynchronously.",
        202,
        ActivatedOut,
        PrincipalCreate,
        (_ORG,),
    ),
    Route(
        "get",
        "/orgs/{org}/principals",
        "listPrincipals",
        "List an org's principals, by kind and state.",
        200,
        PrincipalList,
        params=(_ORG, _KIND, _STATE),
    ),
    Route(
        "get",
        "/orgs/{org}/principals/{email}",
        "getPrincipal",
        "Read a principal: state, reason, hint, last sync, channel expiry, meetings, decisions.",
        200,
        PrincipalDetailOut,
        params=(_ORG, _EMAIL),
    ),
    Route(
        "delete",
        "/orgs/{org}/principals/{email}",
        "deactivatePrincipal",
        "Deactivate a principal: channels stop, its data and keys are destroyed.",
        202,
        PrincipalOut,
        params=(_ORG, _EMAIL),
    ),
    Route(
        "post",
        "/orgs/{org}/principals/{email}:revalidate",
        "revalidatePrincipal",
        "Run validation again (after fixing delegation, say).",
        202,
        PrincipalOut,
        params=(_ORG, _EMAIL),
    ),
    Route(
        "post",
        "/orgs/{org}/principals/{email}:purge",
        "purgePrincipal",
        "Delete a deactivated principal's record for good (409 unless it is deactivated).",
        200,
        PrincipalOut,
        params=(_ORG, _EMAIL),
    ),
    Route(
        "get",
        "/orgs/{org}/principals/{email}/devices",
        "listDevices",
        "List a room's devices (never their tokens).",
        200,
        DeviceList,
        params=(_ORG, _EMAIL),
    ),
    Route(
        "post",
        "/orgs/{org}/principals/{email}/devices",
        "addDevice",
        "Add a device to a room; its token is in this answer only.",
        201,
        DeviceTokenOut,
        DeviceCreate,
        (_ORG, _EMAIL),
    ),
    Route(
        "post",
        "/orgs/{org}/principals/{email}/devices/{device_id}:rotate",
        "rotateDevice",
        "Give a device a new token (in this answer only); the old token stops working.",
        200,
        DeviceTokenOut,
        params=(_ORG, _EMAIL, _DEVICE),
    ),
    Route(
        "delete",
        "/orgs/{org}/principals/{email}/devices/{device_id}",
        "revokeDevice",
        "Revoke a device: it is deleted and its token stops working.",
        200,
        DeviceOut,
        params=(_ORG, _EMAIL, _DEVICE),
    ),
    Route(
        "get",
        "/dead-letters",
        "listDeadLetters",
        "Dead letters of the deployment, counted per topic, with the latest error.",
        200,
        DeadLettersOut,
    ),
    Route(
        "get",
        "/orgs/{org}/dead-letters",
        "listOrgDeadLetters",
        "An org's dead letters, counted per topic and per principal, with the latest error.",
        200,
        DeadLettersOut,
        params=(_ORG,),
    ),
    Route("get", "/orgs/{org}/health", "getOrgHealth", "The org's health report.", 200, HealthOut, params=(_ORG,)),
    Route(
        "get", "/orgs/{org}/alert-hooks", "listAlertHooks", "The org's alert hooks.", 200, AlertHookList, params=(_ORG,)
    ),
    Route(
        "post",
        "/orgs/{org}/alert-hooks",
        "addAlertHook",
        "Register an alert hook (https, or http to loopback); its secret is in this answer only.",
        201,
        AlertHookOut,
        AlertHookCreate,
        (_ORG,),
    ),
    Route(
        "delete",
        "/orgs/{org}/alert-hooks/{hook_id}",
        "removeAlertHook",
        "Remove an alert hook.",
        200,
        None,
        params=(_ORG, _HOOK),
    ),
    Route(
        "post",
        "/orgs/{org}/alert-hooks/{hook_id}:test",
        "testAlertHook",
        "Send a signed test event to one hook now.",
        200,
        AlertOut,
        params=(_ORG, _HOOK),
    ),
    Route(
        "get",
        "/orgs/{org}/alerts",
        "listAlerts",
        "The org's alerts and their deliveries.",
        200,
        AlertList,
        params=(_ORG,),
    ),
    Route("get", "/openapi.json", "openapi", "This document.", 200, None),
)
_ERRORS = {
    "400": "Bad input: malformed JSON, email or settings.",
    "401": "No or wrong admin credentials.",
    "404": "Unknown org, principal or device (or one of another org).",
    "409": "Already exists, already active or deactivated, or validation already running.",
}


def _schema(model: type[BaseModel], schemas: dict[str, Any], mode: str) -> dict[str, Any]:
    name = model.__name__
    if name not in schemas:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(route: Route, schemas: dict[str, Any]) -> dict[str, Any]:
    error = {"application/json": {"schema": _schema(ErrorOut, schemas, "serialization")}}
    if route.response is None:
        ok: dict[str, Any] = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    else:
        body = {"schema": _schema(route.response, schemas, "serialization")}
        ok = {"description": "OK", "content": {"application/json": body}}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "responses": {str(route.status): ok, **{s: {"description": d, "content": error} for s, d in _ERRORS.items()}},
    }
    if route.params:
        operation["parameters"] = list(route.params)
    if route.request is not None:
        content = {"application/json": {"schema": _schema(route.request, schemas, "validation")}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document of the admin API."""
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(PREFIX + route.path, {})[route.method] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Hybrid Calendar admin API",
            "version": shared.__version__,
            "description": "Orgs, users, rooms and room devices: activation with validation, error reasons, "
            "deactivation (the record stays visible until purged). "
            "IAM guards it in the cloud (send an ID token in X-Serverless-Authorization); the local "
            "runtime wants the admin token as a bearer token.",
        },
        "paths": paths,
        "security": [{"adminToken": []}],
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer", "description": "HYBRIDCAL_ADMIN_TOKEN."},
            },
        },
    }
