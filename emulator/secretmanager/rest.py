"""The REST face of the emulator's Secret Manager over one :class:`SecretState`.

``POST /v1/projects/P/secrets?secretId=S``, ``POST .../secrets/S:addVersion`` and ``GET
.../secrets/S/versions/V:access``; a fault leaves as Google's JSON error body with the HTTP
status of its gRPC code.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import grpc
from flask import Blueprint, Response, request
from google.cloud import secretmanager_v1 as sm

from emulator.secretmanager.service import SecretFault, SecretState

_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.UNAVAILABLE: 503,
}


def _error(fault: SecretFault) -> Response:
    status = _HTTP.get(fault.code, 500)
    body = {"error": {"code": status, "message": fault.message, "status": fault.code.name}}
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _json(message: Any) -> Response:
    return Response(type(message).to_json(message), mimetype="application/json")


def rest_blueprint(state: SecretState) -> Blueprint:
    """The REST form: create a secret, add a version, access a version."""
    bp = Blueprint("secretmanager", __name__)

    @bp.post("/v1/projects/<project>/secrets")
    def create(project: str) -> Response:
        try:
            req = sm.CreateSecretRequest(parent=f"projects/{project}", secret_id=request.args.get("secretId", ""))
            return _json(state.create_secret(req))
        except SecretFault as fault:
            return _error(fault)

    @bp.post("/v1/projects/<project>/secrets/<secret_verb>")
    def add_version(project: str, secret_verb: str) -> Response:
        secret, _, verb = secret_verb.partition(":")
        try:
            if verb != "addVersion":
                raise SecretFault(grpc.StatusCode.NOT_FOUND, f"No method {verb!r} on secrets.")
            body = json.loads(request.get_data() or b"{}")
            data = base64.b64decode(str(body.get("payload", {}).get("data", "")), validate=True)
            req = sm.AddSecretVersionRequest(parent=f"projects/{project}/secrets/{secret}", payload={"data": data})
            return _json(state.add_secret_version(req))
        except (ValueError, binascii.Error, AttributeError):
            return _error(SecretFault(grpc.StatusCode.INVALID_ARGUMENT, "payload.data must be base64"))
        except SecretFault as fault:
            return _error(fault)

    @bp.get("/v1/projects/<project>/secrets/<secret>/versions/<version_verb>")
    def access(project: str, secret: str, version_verb: str) -> Response:
        version, _, verb = version_verb.partition(":")
        try:
            if verb != "access":
                raise SecretFault(grpc.StatusCode.NOT_FOUND, f"No method {verb!r} on versions.")
            name = f"projects/{project}/secrets/{secret}/versions/{version}"
            return _json(state.access_secret_version(sm.AccessSecretVersionRequest(name=name)))
        except SecretFault as fault:
            return _error(fault)

    return bp
