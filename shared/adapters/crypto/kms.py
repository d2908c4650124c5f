"""The cloud key-encryption key: ``KeyEncryptionKey`` on Cloud KMS (``google-cloud-kms``).

``wrap`` and ``unwrap`` are ``Encrypt`` and ``Decrypt`` on one symmetric crypto key, with the
data key's associated data as KMS ``additional_authenticated_data``. End-to-end integrity as
Google recommends: every request carries CRC32C checksums of what it sends
(``plaintext_crc32c`` / ``ciphertext_crc32c`` and ``additional_authenticated_data_crc32c``);
an Encrypt answer must report both checksums verified and carry a ``ciphertext_crc32c`` that
matches the ciphertext; a Decrypt answer's ``plaintext_crc32c`` must match the plaintext. A
mismatch (or a checksum INVALID_ARGUMENT, or UNAVAILABLE / DEADLINE_EXCEEDED) is retried, at
most ``max_attempts`` (3) times in all; then ``Unavailable`` is raised, so the caller retries
later rather than dropping work. A Decrypt that fails authentication (wrong AAD, another key,
a tampered ciphertext, a destroyed key version) raises ``IntegrityError``.

``endpoint`` (``HYBRIDCAL_KMS_ENDPOINT``) points the client at the emulator over a plaintext
gRPC channel. The client is made on first use; nothing happens at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import google_crc32c

from shared.collector import collector_paused
from shared.errors import (
    Forbidden,
    HybridCalendarError,
    IntegrityError,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from shared.logs import ctx, get_logger

log = get_logger(__name__)


def crc32c(data: bytes) -> int:
    """CRC32C of ``data`` as Cloud KMS computes it."""
    return int(google_crc32c.value(data))


class _Retry(Exception):
    """One attempt failed in a way worth another attempt."""


class CloudKmsKek:
    """KeyEncryptionKey on a Cloud KMS symmetric key; counts wraps and unwraps like ``LocalKek``."""

    def __init__(
        self,
        key_name: str,
        *,
        endpoint: str | None = None,
        client: Any | None = None,
        max_attempts: int = 3,
        timeout: float = 10.0,
        backoff: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._name = key_name
        self._endpoint = endpoint
        self._client = client
        self._max_attempts = max(1, max_attempts)
        self._timeout = timeout
        self._backoff = backoff
        self._sleep = sleep
        self.wrap_calls = 0
        self.unwrap_calls = 0

    @property
    def name(self) -> str:
        """The crypto key's resource name."""
        return self._name

    @property
    def client(self) -> Any:
        """The ``KeyManagementServiceClient``, made on first use."""
        if self._client is None:
            from google.auth import exceptions as auth_exc

            with collector_paused():
                from google.cloud import kms_v1

            try:
                if self._endpoint:
                    import grpc
                    from google.cloud.kms_v1.services.key_management_service.transports import (
                        KeyManagementServiceGrpcTransport,
                    )

                    transport = KeyManagementServiceGrpcTransport(channel=grpc.insecure_channel(self._endpoint))
                    self._client = kms_v1.KeyManagementServiceClient(transport=transport)
                else:
                    self._client = kms_v1.KeyManagementServiceClient()
            except auth_exc.DefaultCredentialsError as exc:
                raise Unauthenticated(f"no Google credentials for Cloud KMS: {exc}") from exc
        return self._client

    # ------------------------------------------------------------ KeyEncryptionKey port

    def wrap(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt a data key under ``aad`` with Cloud KMS; checksums verified both ways."""
        self.wrap_calls += 1
        request: dict[str, Any] = {
            "name": self._name,
            "plaintext": plaintext,
            "plaintext_crc32c": crc32c(plaintext),
            "additional_authenticated_data": aad,
            "additional_authenticated_data_crc32c": crc32c(aad),
        }

        def attempt() -> bytes:
            response = self.client.encrypt(request=request, retry=None, timeout=self._timeout)
            if not response.verified_plaintext_crc32c or not response.verified_additional_authenticated_data_crc32c:
                raise _Retry("Cloud KMS did not verify the request checksums")
            ciphertext = bytes(response.ciphertext)
            if "ciphertext_crc32c" not in response or int(response.ciphertext_crc32c) != crc32c(ciphertext):
                raise _Retry("the ciphertext was corrupted in transit")
            return ciphertext

        return self._call("encrypt", attempt)

    def unwrap(self, ciphertext: bytes, aad: bytes) -> bytes:
        """Decrypt a data key with Cloud KMS; IntegrityError when it does not authenticate."""
        self.unwrap_calls += 1
        request: dict[str, Any] = {
            "name": self._name,
            "ciphertext": ciphertext,
            "ciphertext_crc32c": crc32c(ciphertext),
            "additional_authenticated_data": aad,
            "additional_authenticated_data_crc32c": crc32c(aad),
        }

        def attempt() -> bytes:
            response = self.client.decrypt(request=request, retry=None, timeout=self._timeout)
            plaintext = bytes(response.plaintext)
            if "plaintext_crc32c" not in response or int(response.plaintext_crc32c) != crc32c(plaintext):
                raise _Retry("the plaintext was corrupted in transit")
            return plaintext

        return self._call("decrypt", attempt)

    # ------------------------------------------------------------ retries and errors

    def _call(self, what: str, attempt: Callable[[], bytes]) -> bytes:
        from google.api_core import exceptions as gexc

        reason = ""
        for number in range(1, self._max_attempts + 1):
            try:
                return attempt()
            except _Retry as exc:
                reason = str(exc)
            except (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.InternalServerError) as exc:
                reason = f"Cloud KMS answered {type(exc).__name__}"
            except gexc.InvalidArgument as exc:
                if "checksum" not in str(exc.message).lower():
                    raise self._invalid(what, exc) from exc
                reason = "Cloud KMS saw a request checksum mismatch"
            except HybridCalendarError:
                raise
            except Exception as exc:
                raise self._mapped(what, exc) from exc
            log.warning(f"kms {what} attempt failed", extra=ctx(key=self._name, attempt=number, reason=reason))
            if number < self._max_attempts:
                self._sleep(self._backoff * 2 ** (number - 1))
        raise Unavailable(f"Cloud KMS {what} failed {self._max_attempts} times: {reason}")

    @staticmethod
    def _invalid(what: str, exc: Any) -> HybridCalendarError:
        if what == "decrypt":
            return IntegrityError("a wrapped data key failed to authenticate with Cloud KMS")
        return InvalidInput(f"Cloud KMS refused the {what} request: {exc.message}")

    @staticmethod
    def _mapped(what: str, exc: Exception) -> HybridCalendarError:
        import grpc
        from google.api_core import exceptions as gexc

        if isinstance(exc, gexc.FailedPrecondition):
            if what == "decrypt":
                return IntegrityError("the Cloud KMS key version that wrapped this data key is not enabled")
            return Forbidden("the Cloud KMS key is not enabled", reason="failedPrecondition")
        if isinstance(exc, gexc.NotFound):
            return NotFound("the Cloud KMS key does not exist")
        if isinstance(exc, gexc.PermissionDenied):
            return Forbidden(f"no permission to {what} with the Cloud KMS key", reason="permissionDenied")
        if isinstance(exc, gexc.Unauthenticated):
            return Unauthenticated("Cloud KMS rejected the credentials")
        if isinstance(exc, gexc.ResourceExhausted):
            return RateLimited("Cloud KMS quota exhausted")
        if isinstance(exc, gexc.GoogleAPIError | grpc.RpcError):
            return Unavailable(f"Cloud KMS {what} failed ({type(exc).__name__})")
        raise exc
