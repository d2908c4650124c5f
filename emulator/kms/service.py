"""Cloud KMS in the emulator: ``google.cloud.kms.v1.KeyManagementService`` Encrypt and Decrypt.

Two faces over one :class:`KmsState`: gRPC (``grpc_handler``, served by ``KmsEmulator`` here and
next to Secret Manager by :mod:`emulator.grpc_apis`, what the real ``google-cloud-kms`` client
talks to through an insecure channel) and a Flask blueprint with the
REST form (``POST /v1/{name=projects/*/locations/*/keyRings/*/cryptoKeys/**}:encrypt`` and
``:decrypt``, JSON with base64 bytes and int64 checksums as strings).

Like Cloud KMS, it checks the request checksums it is given (``plaintext_crc32c``,
``ciphertext_crc32c``, ``additional_authenticated_data_crc32c``; a mismatch is
INVALID_ARGUMENT), reports ``verified_*`` flags, and answers with ``ciphertext_crc32c`` /
``plaintext_crc32c``. Each key name gets an AES-256-GCM key on first use; the associated data is
bound, so a wrong AAD or another key fails with INVALID_ARGUMENT. Faults for tests:
``inject(unavailable=N)`` answers UNAVAILABLE to the next N calls, ``inject(corrupt_crc32c=N)``
corrupts the response checksum of the next N answers, ``inject(unverified=N)`` reports the next N
request checksums as unverified. ``calls`` counts Encrypt and Decrypt over both faces.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import google_crc32c
import grpc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Blueprint, Response, request
from google.cloud import kms_v1

SERVICE = "google.cloud.kms.v1.KeyManagementService"
_KEY_NAME = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
_VERSION_SUFFIX = re.compile(r"/cryptoKeyVersions/[^/]+$")
_MAGIC = b"hkms1"
_NONCE = 12
_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.UNAVAILABLE: 503,
}


def crc32c(data: bytes) -> int:
    """The CRC32C checksum Cloud KMS uses for its integrity fields."""
    return int(google_crc32c.value(data))


@dataclass
class KmsFault(Exception):
    """An error answered to a caller: a gRPC status and a message."""

    code: grpc.StatusCode
    message: str


class KmsState:
    """Keys, faults and call counts shared by the gRPC server and the REST blueprint."""

    def __init__(self, *, auto_create: bool = True) -> None:
        self.auto_create = auto_create
        self.calls: Counter[str] = Counter()
        self._keys: dict[str, bytes] = {}
        self._faults: Counter[str] = Counter()
        self._lock = threading.Lock()

    def create_key(self, name: str) -> None:
        """Register a crypto key (every valid name is created on first use when ``auto_create``)."""
        self._key(name, create=True)

    def inject(self, *, unavailable: int = 0, corrupt_crc32c: int = 0, unverified: int = 0) -> None:
        """Arm faults for the next calls (they add up with faults still armed)."""
        with self._lock:
            self._faults.update(unavailable=unavailable, corrupt_crc32c=corrupt_crc32c, unverified=unverified)

    def reset(self) -> None:
        """Forget call counts and armed faults (keys stay, so ciphertexts stay decryptable)."""
        with self._lock:
            self.calls.clear()
            self._faults.clear()

    def _take(self, fault: str) -> bool:
        with self._lock:
            if self._faults[fault] > 0:
                self._faults[fault] -= 1
                return True
            return False

    def _key(self, name: str, *, create: bool) -> bytes:
        key_name = _VERSION_SUFFIX.sub("", name)
        if not _KEY_NAME.match(key_name):
            raise KmsFault(grpc.StatusCode.INVALID_ARGUMENT, f"Resource name [{name}] is not a valid crypto key.")
        with self._lock:
            key = self._keys.get(key_name)
            if key is None:
                if not (create or self.auto_create):
                    raise KmsFault(grpc.StatusCode.NOT_FOUND, f"{key_name} not found.")
                key = self._keys[key_name] = AESGCM.generate_key(bit_length=256)
            return key

    def _begin(self, method: str) -> None:
        with self._lock:
            self.calls[method] += 1
        if self._take("unavailable"):
            raise KmsFault(grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable.")

    @staticmethod
    def _check(data: bytes, checksum: int | None, field: str) -> bool:
        if checksum is None:
            return False
        if crc32c(data) != checksum:
            raise KmsFault(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"The checksum in field {field}_crc32c did not match the data in field {field}.",
            )
        return True

    def encrypt(self, req: Any) -> Any:
        """Answer an ``EncryptRequest`` with an ``EncryptResponse``."""
        self._begin("Encrypt")
        key = self._key(req.name, create=False)
        plaintext, aad = bytes(req.plaintext), bytes(req.additional_authenticated_data)
        verified_pt = self._check(plaintext, _opt(req, "plaintext_crc32c"), "plaintext")
        verified_aad = self._check(
            aad, _opt(req, "additional_authenticated_data_crc32c"), "additional_authenticated_data"
        )
        if len(plaintext) > 64 * 1024:
            raise KmsFault(grpc.StatusCode.INVALID_ARGUMENT, "The plaintext is larger than 64 KiB.")
        nonce = os.urandom(_NONCE)
        ciphertext = _MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
        checksum = crc32c(ciphertext)
        if self._take("corrupt_crc32c"):
            checksum ^= 0x1
        if self._take("unverified"):
            verified_pt = verified_aad = False
        return kms_v1.EncryptResponse(
            name=_VERSION_SUFFIX.sub("", req.name) + "/cryptoKeyVersions/1",
            ciphertext=ciphertext,
            ciphertext_crc32c=checksum,
            verified_plaintext_crc32c=verified_pt,
            verified_additional_authenticated_data_crc32c=verified_aad,
            protection_level=kms_v1.ProtectionLevel.SOFTWARE,
        )

    def decrypt(self, req: Any) -> Any:
        """Answer a ``DecryptRequest`` with a ``DecryptResponse``."""
        self._begin("Decrypt")
        if _VERSION_SUFFIX.search(req.name):
            raise KmsFault(grpc.StatusCode.INVALID_ARGUMENT, "Decrypt takes a crypto key name, not a version.")
        key = self._key(req.name, create=False)
        ciphertext, aad = bytes(req.ciphertext), bytes(req.additional_authenticated_data)
        self._check(ciphertext, _opt(req, "ciphertext_crc32c"), "ciphertext")
        self._check(aad, _opt(req, "additional_authenticated_data_crc32c"), "additional_authenticated_data")
        body = ciphertext[len(_MAGIC) :]
        try:
            if not ciphertext.startswith(_MAGIC):
                raise ValueError("foreign ciphertext")
            plaintext = AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], aad)
        except (InvalidTag, ValueError):
            raise KmsFault(grpc.StatusCode.INVALID_ARGUMENT, "Decryption failed: the ciphertext is invalid.") from None
        checksum = crc32c(plaintext)
        if self._take("corrupt_crc32c"):
            checksum ^= 0x1
        return kms_v1.DecryptResponse(
            plaintext=plaintext,
            plaintext_crc32c=checksum,
            used_primary=True,
            protection_level=kms_v1.ProtectionLevel.SOFTWARE,
        )


def _opt(message: Any, field: str) -> int | None:
    """The value of an optional wrapper field, or None when the caller did not set it."""
    return int(getattr(message, field)) if field in message else None


class KmsEmulator:
    """A gRPC ``KeyManagementService`` server on loopback over a :class:`KmsState`."""

    def __init__(self, state: KmsState | None = None) -> None:
        self.state = state or KmsState()
        self._server: Any = None
        self.port: int | None = None

    @property
    def calls(self) -> Counter[str]:
        """RPC counts by method name (``Encrypt``, ``Decrypt``), REST calls included."""
        return self.state.calls

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:<port>`` of the running server."""
        if self.port is None:
            raise RuntimeError("the KMS emulator is not running")
        return f"127.0.0.1:{self.port}"

    def inject(self, *, unavailable: int = 0, corrupt_crc32c: int = 0, unverified: int = 0) -> None:
        """Arm faults for the next calls (see :meth:`KmsState.inject`)."""
        self.state.inject(unavailable=unavailable, corrupt_crc32c=corrupt_crc32c, unverified=unverified)

    def start(self, port: int = 0) -> int:
        """Serve on ``127.0.0.1:port`` (0 picks a free port); return the port."""
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        server.add_generic_rpc_handlers((grpc_handler(self.state),))
        self.port = int(server.add_insecure_port(f"127.0.0.1:{port}"))
        server.start()
        self._server = server
        return self.port

    def stop(self) -> None:
        """Stop the server (immediately; in-flight calls are cancelled)."""
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None


def grpc_handler(state: KmsState) -> grpc.GenericRpcHandler:
    """The gRPC ``KeyManagementService`` (Encrypt, Decrypt) over ``state``."""

    def unary(method: Callable[[Any], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
        def behaviour(req: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(req)
            except KmsFault as fault:
                context.abort(fault.code, fault.message)

        return behaviour

    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Encrypt": grpc.unary_unary_rpc_method_handler(
                unary(state.encrypt),
                request_deserializer=kms_v1.EncryptRequest.deserialize,
                response_serializer=kms_v1.EncryptResponse.serialize,
            ),
            "Decrypt": grpc.unary_unary_rpc_method_handler(
                unary(state.decrypt),
                request_deserializer=kms_v1.DecryptRequest.deserialize,
                response_serializer=kms_v1.DecryptResponse.serialize,
            ),
        },
    )


def _error(fault: KmsFault) -> Response:
    status = _HTTP.get(fault.code, 500)
    body = {"error": {"code": status, "message": fault.message, "status": fault.code.name}}
    return Response(json.dumps(body), status=status, mimetype="application/json")


def kms_blueprint(kms_state: KmsState) -> Blueprint:
    """The REST form of Encrypt and Decrypt, sharing ``kms_state`` with the gRPC server."""
    bp = Blueprint("kms", __name__)
    kinds: dict[str, tuple[Any, Any, Callable[[Any], Any]]] = {
        "encrypt": (kms_v1.EncryptRequest, kms_v1.EncryptResponse, kms_state.encrypt),
        "decrypt": (kms_v1.DecryptRequest, kms_v1.DecryptResponse, kms_state.decrypt),
    }

    @bp.post("/v1/projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<path:rest>")
    def call(project: str, location: str, ring: str, rest: str) -> Response:
        key, _, verb = rest.rpartition(":")
        name = f"projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}"
        if verb not in kinds or not key:
            return _error(KmsFault(grpc.StatusCode.NOT_FOUND, f"No method {verb!r} on {name}."))
        req_type, resp_type, method = kinds[verb]
        try:
            req = req_type.from_json(request.get_data(as_text=True) or "{}", ignore_unknown_fields=True)
        except (ValueError, TypeError) as exc:
            return _error(KmsFault(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid JSON payload: {exc}"))
        req.name = name
        try:
            resp = method(req)
        except KmsFault as fault:
            return _error(fault)
        text = resp_type.to_json(resp, use_integers_for_enums=False, always_print_fields_with_no_presence=False)
        return Response(text, mimetype="application/json")

    return bp
