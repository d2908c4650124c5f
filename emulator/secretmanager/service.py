"""Secret Manager in the emulator: ``google.cloud.secretmanager.v1.SecretManagerService``.

Enough of the API for the service's ``secret`` credentials and for a deployment's tooling:
``CreateSecret``, ``GetSecret``, ``DeleteSecret``, ``AddSecretVersion``, ``GetSecretVersion``,
``AccessSecretVersion`` (``latest`` is the newest enabled version), ``DisableSecretVersion``,
``EnableSecretVersion`` and ``DestroySecretVersion``. Two faces over one :class:`SecretState`: gRPC
handlers (served next to Cloud KMS by :mod:`emulator.grpc_apis`, what ``google-cloud-secret-manager``
talks to) and the REST form (``rest``).

Like Secret Manager it checks a given ``data_crc32c`` (INVALID_ARGUMENT on a mismatch), answers
``data_crc32c`` with every payload, refuses a disabled or destroyed version with
FAILED_PRECONDITION and an unknown one with NOT_FOUND. ``inject(unavailable=N)`` answers
UNAVAILABLE to the next N calls, ``inject(corrupt_crc32c=N)`` spoils the checksum of the next N
payloads; ``calls`` counts calls by method over both faces.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import google_crc32c
import grpc
from google.cloud import secretmanager_v1 as sm
from google.protobuf import empty_pb2

SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"
_SECRET = re.compile(r"^projects/([^/]+)/secrets/([A-Za-z0-9_-]{1,255})$")
_VERSION = re.compile(r"^(projects/[^/]+/secrets/[A-Za-z0-9_-]{1,255})/versions/(latest|[1-9][0-9]*)$")
MAX_PAYLOAD = 64 * 1024


@dataclass
class SecretFault(Exception):
    """An error answered to a caller: a gRPC status and a message."""

    code: grpc.StatusCode
    message: str


@dataclass
class _Version:
    data: bytes
    created: datetime
    state: str = "ENABLED"


@dataclass
class _Secret:
    created: datetime
    labels: dict[str, str]
    versions: list[_Version] = field(default_factory=list)


def _crc32c(data: bytes) -> int:
    return int(google_crc32c.value(data))


class SecretState:
    """Secrets and their versions, faults and call counts, shared by the gRPC and REST faces."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))
        self.calls: Counter[str] = Counter()
        self._secrets: dict[str, _Secret] = {}
        self._unavailable = 0
        self._corrupt = 0
        self._lock = threading.Lock()

    def inject(self, *, unavailable: int = 0, corrupt_crc32c: int = 0) -> None:
        """Arm faults for the next calls (they add up with faults still armed)."""
        with self._lock:
            self._unavailable += unavailable
            self._corrupt += corrupt_crc32c

    def _begin(self, method: str) -> None:
        with self._lock:
            self.calls[method] += 1
            if self._unavailable > 0:
                self._unavailable -= 1
                raise SecretFault(grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable.")

    def _secret(self, name: str) -> _Secret:
        if not _SECRET.match(name):
            raise SecretFault(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource field value: {name}")
        secret = self._secrets.get(name)
        if secret is None:
            raise SecretFault(grpc.StatusCode.NOT_FOUND, f"Secret [{name}] not found or has no versions.")
        return secret

    def _version(self, name: str) -> tuple[str, int, _Version]:
        match = _VERSION.match(name)
        if not match:
            raise SecretFault(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid resource field value: {name}")
        secret_name, which = match.groups()
        secret = self._secret(secret_name)
        if which == "latest":
            enabled = [i for i, v in enumerate(secret.versions) if v.state == "ENABLED"]
            if not enabled:
                raise SecretFault(grpc.StatusCode.NOT_FOUND, f"Secret [{secret_name}] has no enabled versions.")
            index = enabled[-1]
        else:
            index = int(which) - 1
            if index >= len(secret.versions):
                raise SecretFault(grpc.StatusCode.NOT_FOUND, f"Secret Version [{name}] not found.")
        return secret_name, index + 1, secret.versions[index]

    def _secret_view(self, name: str, secret: _Secret) -> Any:
        return sm.Secret(name=name, create_time=secret.created, labels=secret.labels, replication={"automatic": {}})

    def _version_view(self, secret_name: str, number: int, version: _Version) -> Any:
        state = getattr(sm.SecretVersion.State, version.state)
        return sm.SecretVersion(name=f"{secret_name}/versions/{number}", create_time=version.created, state=state)

    def create_secret(self, req: Any) -> Any:
        """``CreateSecret``: ``parent`` ``projects/P`` and ``secret_id``."""
        self._begin("CreateSecret")
        name = f"{req.parent}/secrets/{req.secret_id}"
        if not _SECRET.match(name):
            raise SecretFault(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid secret id or parent: {name}")
        with self._lock:
            if name in self._secrets:
                raise SecretFault(grpc.StatusCode.ALREADY_EXISTS, f"Secret [{name}] already exists.")
            secret = self._secrets[name] = _Secret(self._now(), dict(req.secret.labels))
            return self._secret_view(name, secret)

    def get_secret(self, req: Any) -> Any:
        """``GetSecret``."""
        self._begin("GetSecret")
        with self._lock:
            return self._secret_view(req.name, self._secret(req.name))

    def delete_secret(self, req: Any) -> Any:
        """``DeleteSecret``: the secret and every version."""
        self._begin("DeleteSecret")
        with self._lock:
            self._secret(req.name)
            del self._secrets[req.name]
        return empty_pb2.Empty()

    def add_secret_version(self, req: Any) -> Any:
        """``AddSecretVersion``: checks ``data_crc32c`` when given."""
        self._begin("AddSecretVersion")
        data = bytes(req.payload.data)
        if len(data) > MAX_PAYLOAD:
            raise SecretFault(grpc.StatusCode.INVALID_ARGUMENT, "Secret payload is larger than 64 KiB.")
        if "data_crc32c" in req.payload and int(req.payload.data_crc32c) != _crc32c(data):
            raise SecretFault(grpc.StatusCode.INVALID_ARGUMENT, "Checksum of the payload does not match data_crc32c.")
        with self._lock:
            secret = self._secret(req.parent)
            version = _Version(data, self._now())
            secret.versions.append(version)
            return self._version_view(req.parent, len(secret.versions), version)

    def get_secret_version(self, req: Any) -> Any:
        """``GetSecretVersion`` (metadata only)."""
        self._begin("GetSecretVersion")
        with self._lock:
            return self._version_view(*self._version(req.name))

    def access_secret_version(self, req: Any) -> Any:
        """``AccessSecretVersion``: the payload with its ``data_crc32c``."""
        self._begin("AccessSecretVersion")
        with self._lock:
            secret_name, number, version = self._version(req.name)
        if version.state != "ENABLED":
            what = f"Secret Version [{secret_name}/versions/{number}] is {version.state}."
            raise SecretFault(grpc.StatusCode.FAILED_PRECONDITION, what)
        checksum = _crc32c(version.data)
        with self._lock:
            if self._corrupt > 0:
                self._corrupt -= 1
                checksum ^= 0x1
        payload = sm.SecretPayload(data=version.data, data_crc32c=checksum)
        return sm.AccessSecretVersionResponse(name=f"{secret_name}/versions/{number}", payload=payload)

    def _set_state(self, method: str, req: Any, state: str) -> Any:
        self._begin(method)
        with self._lock:
            secret_name, number, version = self._version(req.name)
            if version.state == "DESTROYED" and state != "DESTROYED":
                raise SecretFault(grpc.StatusCode.FAILED_PRECONDITION, "A destroyed version cannot change state.")
            version.state = state
            if state == "DESTROYED":
                version.data = b""
            return self._version_view(secret_name, number, version)

    def disable_secret_version(self, req: Any) -> Any:
        """``DisableSecretVersion``."""
        return self._set_state("DisableSecretVersion", req, "DISABLED")

    def enable_secret_version(self, req: Any) -> Any:
        """``EnableSecretVersion``."""
        return self._set_state("EnableSecretVersion", req, "ENABLED")

    def destroy_secret_version(self, req: Any) -> Any:
        """``DestroySecretVersion``: the payload is gone for good."""
        return self._set_state("DestroySecretVersion", req, "DESTROYED")


def _serialize(response: Any) -> bytes:
    if isinstance(response, empty_pb2.Empty):
        return bytes(response.SerializeToString())
    return bytes(type(response).serialize(response))


def grpc_handler(state: SecretState) -> grpc.GenericRpcHandler:
    """The gRPC ``SecretManagerService`` over ``state``."""
    methods: dict[str, tuple[Any, Callable[[Any], Any]]] = {
        "CreateSecret": (sm.CreateSecretRequest, state.create_secret),
        "GetSecret": (sm.GetSecretRequest, state.get_secret),
        "DeleteSecret": (sm.DeleteSecretRequest, state.delete_secret),
        "AddSecretVersion": (sm.AddSecretVersionRequest, state.add_secret_version),
        "GetSecretVersion": (sm.GetSecretVersionRequest, state.get_secret_version),
        "AccessSecretVersion": (sm.AccessSecretVersionRequest, state.access_secret_version),
        "DisableSecretVersion": (sm.DisableSecretVersionRequest, state.disable_secret_version),
        "EnableSecretVersion": (sm.EnableSecretVersionRequest, state.enable_secret_version),
        "DestroySecretVersion": (sm.DestroySecretVersionRequest, state.destroy_secret_version),
    }

    def unary(method: Callable[[Any], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
        def behaviour(req: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(req)
            except SecretFault as fault:
                context.abort(fault.code, fault.message)

        return behaviour

    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            unary(method), request_deserializer=req_type.deserialize, response_serializer=_serialize
        )
        for name, (req_type, method) in methods.items()
    }
    return grpc.method_handlers_generic_handler(SERVICE, handlers)
