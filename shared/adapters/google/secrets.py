"""Secret Manager: read an org's service-account key for ``secret`` credentials (``google-cloud-secret-manager``).

An org created with ``credential.kind = "secret"`` names a secret version
(``projects/P/secrets/S/versions/V``, ``latest`` allowed); the functions that call Google read the
key file JSON from it (``roles/secretmanager.secretAccessor``, granted in ``infra/secrets.tf``).
The payload's ``data_crc32c`` is checked, as Google recommends. UNAVAILABLE, DEADLINE_EXCEEDED
and a checksum mismatch are retried (three attempts in all), then ``Unavailable`` is raised so the
caller retries later; a missing, disabled or destroyed version and a refused permission are
permanent (``NotFound``, ``Forbidden``). ``endpoint`` (``HYBRIDCAL_SECRET_MANAGER_ENDPOINT``)
points the client at an emulator over plaintext gRPC. The client is made on first use.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import google_crc32c

from shared.collector import collector_paused
from shared.errors import Forbidden, HybridCalendarError, InvalidInput, NotFound, Unauthenticated, Unavailable
from shared.logs import ctx, get_logger

log = get_logger(__name__)
VERSION_NAME = re.compile(r"^projects/[^/\s]+/secrets/[A-Za-z0-9_-]{1,255}/versions/(latest|[1-9][0-9]*)$")


class SecretManagerSecrets:
    """Reads secret versions as text; counts accesses."""

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        client: Any | None = None,
        max_attempts: int = 3,
        timeout: float = 10.0,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._endpoint = endpoint
        self._client = client
        self._max_attempts = max(1, max_attempts)
        self._timeout = timeout
        self._backoff = backoff
        self._sleep = sleep
        self._lock = threading.Lock()
        self.access_calls = 0

    @property
    def client(self) -> Any:
        """The ``SecretManagerServiceClient``, made on first use."""
        with self._lock:
            if self._client is None:
                from google.auth import exceptions as auth_exc

                with collector_paused():
                    from google.cloud import secretmanager_v1

                try:
                    if self._endpoint:
                        import grpc
                        from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
                            SecretManagerServiceGrpcTransport,
                        )

                        channel = grpc.insecure_channel(self._endpoint)
                        transport = SecretManagerServiceGrpcTransport(channel=channel)
                        self._client = secretmanager_v1.SecretManagerServiceClient(transport=transport)
                    else:
                        self._client = secretmanager_v1.SecretManagerServiceClient()
                except auth_exc.DefaultCredentialsError as exc:
                    raise Unauthenticated(f"no Google credentials for Secret Manager: {exc}") from exc
            return self._client

    def access(self, version: str) -> str:
        """The UTF-8 text of secret version ``version``."""
        if not VERSION_NAME.match(version):
            raise InvalidInput("a secret reference must be projects/P/secrets/S/versions/V (V a number or latest)")
        from google.api_core import exceptions as gexc

        reason = ""
        for attempt in range(1, self._max_attempts + 1):
            self.access_calls += 1
            try:
                response = self.client.access_secret_version(
                    request={"name": version}, retry=None, timeout=self._timeout
                )
                data = bytes(response.payload.data)
                if "data_crc32c" in response.payload and int(response.payload.data_crc32c) != int(
                    google_crc32c.value(data)
                ):
                    raise ValueError("the secret payload was corrupted in transit")
                return data.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput("the secret version is not UTF-8 text") from None
            except ValueError as exc:
                reason = str(exc)
            except (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.InternalServerError) as exc:
                reason = f"Secret Manager answered {type(exc).__name__}"
            except HybridCalendarError:
                raise
            except Exception as exc:
                raise _mapped(exc) from exc
            log.warning("secret access attempt failed", extra=ctx(attempt=attempt, reason=reason))
            if attempt < self._max_attempts:
                self._sleep(self._backoff * 2 ** (attempt - 1))
        raise Unavailable(f"Secret Manager failed {self._max_attempts} times: {reason}")


def _mapped(exc: Exception) -> HybridCalendarError:
    import grpc
    from google.api_core import exceptions as gexc

    if isinstance(exc, gexc.NotFound):
        return NotFound("the secret version does not exist")
    if isinstance(exc, gexc.FailedPrecondition):
        return NotFound("the secret version is disabled or destroyed")
    if isinstance(exc, gexc.PermissionDenied):
        return Forbidden("no permission to access the secret version", reason="permissionDenied")
    if isinstance(exc, gexc.Unauthenticated):
        return Unauthenticated("Secret Manager rejected the credentials")
    if isinstance(exc, gexc.InvalidArgument):
        return InvalidInput("Secret Manager refused the secret name")
    if isinstance(exc, gexc.GoogleAPIError | grpc.RpcError):
        return Unavailable(f"Secret Manager failed ({type(exc).__name__})")
    raise exc
