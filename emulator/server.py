"""Serving the emulator: :func:`serve` for the CLI, :class:`EmulatorServer` for tests.

Both can also serve Cloud KMS and Secret Manager over gRPC (:mod:`emulator.grpc_apis`) on a
second port, sharing the state of their REST forms.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING

import httpx
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from emulator.app import GRPC_SURFACES, SURFACES, create_app
from emulator.state import EmulatorState

if TYPE_CHECKING:
    from emulator.grpc_apis import GrpcApis

log = logging.getLogger(__name__)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _grpc_apis(app: Flask) -> GrpcApis:
    """The gRPC server over ``app``'s KMS and Secret Manager state (imports ``grpc`` only now)."""
    missing = GRPC_SURFACES - app.extensions["surfaces"]
    if missing:
        raise ValueError(f"the gRPC port serves {', '.join(sorted(missing))}: add it to the surfaces")
    from emulator.grpc_apis import GrpcApis

    return GrpcApis(app.extensions["kms"], app.extensions["secrets"])


def serve(host: str, port: int, kms_port: int | None = None, surfaces: Iterable[str] = tuple(SURFACES)) -> None:
    """Serve the emulator on ``host:port`` (and Cloud KMS + Secret Manager over gRPC on ``kms_port``) until Ctrl-C.

    The ports are bound before anything is printed: a port in use raises ``OSError`` and nothing
    is left running. Only ``surfaces`` are served (and imported); see :data:`emulator.app.SURFACES`.
    """
    state = EmulatorState()
    apis: GrpcApis | None = None
    try:
        app = create_app(state, surfaces=surfaces)
        server = make_server(host, port, app, threaded=True)
        if kms_port is not None:
            try:
                apis = _grpc_apis(app)
                apis.start(host, kms_port)
            except BaseException:
                server.server_close()
                raise
    except BaseException:
        state.close()
        raise
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C and SIGTERM stop the server even when the parent started it with SIGINT ignored
        # (a background job of a non-interactive shell inherits SIG_IGN).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
    print(f"Google Workspace emulator on http://{host}:{server.server_port} (Ctrl-C stops)", flush=True)
    if apis is not None:
        print(f"Cloud KMS and Secret Manager (gRPC, plaintext) on {apis.endpoint}", flush=True)
    try:
        server.serve_forever()  # werkzeug's server returns on Ctrl-C by itself
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if apis is not None:
            apis.stop()
        state.close()
        print("stopping the emulator", flush=True)


class EmulatorServer:
    """The emulator on a free port in a background thread; ``url`` and ``stop()``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state: EmulatorState | None = None,
        push_transport: httpx.BaseTransport | None = None,
        grpc_port: int | None = None,
        surfaces: Iterable[str] = tuple(SURFACES),
    ) -> None:
        self.state = state if state is not None else EmulatorState(push_transport)
        self.app = create_app(self.state, surfaces=surfaces)
        try:
            self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        except BaseException:  # e.g. the port is in use: leave nothing running
            if state is None:
                self.state.close()
            raise
        self.grpc: GrpcApis | None = None
        if grpc_port is not None:
            try:
                self.grpc = _grpc_apis(self.app)
                self.grpc.start(host, grpc_port)
            except BaseException:  # a gRPC port in use or the surfaces missing: leave nothing running
                self._server.server_close()
                if state is None:
                    self.state.close()
                raise
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and stop the push thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        if self.grpc is not None:
            self.grpc.stop()
        self.state.close()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
