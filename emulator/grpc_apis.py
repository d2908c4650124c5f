"""Cloud KMS and Secret Manager on one plaintext gRPC port, as the gcp backend's clients expect.

``hybrid-calendar emulator --kms-port P`` serves this next to the HTTP surfaces, over the same
:class:`~emulator.kms.KmsState` and :class:`~emulator.secretmanager.SecretState` the REST forms
use, so ``HYBRIDCAL_KMS_ENDPOINT`` and ``HYBRIDCAL_SECRET_MANAGER_ENDPOINT`` can both name
``host:P`` and nothing else needs starting by hand.
"""

from __future__ import annotations

from concurrent import futures
from typing import Any

import grpc

from emulator import kms, secretmanager


class GrpcApis:
    """A gRPC server with ``KeyManagementService`` and ``SecretManagerService``."""

    def __init__(self, kms_state: kms.KmsState, secret_state: secretmanager.SecretState) -> None:
        self.kms = kms_state
        self.secrets = secret_state
        self._server: Any = None
        self.host = "127.0.0.1"
        self.port: int | None = None

    @property
    def endpoint(self) -> str:
        """``host:port`` of the running server."""
        if self.port is None:
            raise RuntimeError("the gRPC APIs are not running")
        return f"{self.host}:{self.port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on ``host:port`` (0 picks a free port); return the port; OSError when it is taken."""
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        server.add_generic_rpc_handlers((kms.grpc_handler(self.kms), secretmanager.grpc_handler(self.secrets)))
        try:
            bound = int(server.add_insecure_port(f"{host}:{port}"))
        except RuntimeError as exc:  # grpc raises RuntimeError when it cannot bind
            raise OSError(f"cannot listen on {host}:{port} for gRPC: {exc}") from None
        if bound == 0:
            raise OSError(f"cannot listen on {host}:{port} for gRPC")
        server.start()
        self._server, self.host, self.port = server, host, bound
        return bound

    def stop(self) -> None:
        """Stop serving (in-flight calls are cancelled)."""
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None
