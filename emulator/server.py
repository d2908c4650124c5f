"""Serving the emulator over HTTP: :func:`serve` for the CLI, :class:`EmulatorServer` for tests."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import httpx
from werkzeug.serving import BaseWSGIServer, make_server

from emulator.app import create_app
from emulator.state import EmulatorState

log = logging.getLogger(__name__)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(host: str, port: int) -> None:
    """Serve the emulator on ``host:port`` with a threaded server until Ctrl-C (or SIGTERM).

    The port is bound before anything is printed: a port in use raises ``OSError`` and nothing
    is left running.
    """
    state = EmulatorState()
    try:
        server = make_server(host, port, create_app(state), threaded=True)
    except BaseException:
        state.close()
        raise
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C and SIGTERM stop the server even when the parent started it with SIGINT ignored
        # (a background job of a non-interactive shell inherits SIG_IGN).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
    print(f"Google Workspace emulator on http://{host}:{server.server_port} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()  # werkzeug's server returns on Ctrl-C by itself
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
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
    ) -> None:
        self.state = state if state is not None else EmulatorState(push_transport)
        self.app = create_app(self.state)
        try:
            self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        except BaseException:  # e.g. the port is in use: leave nothing running
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
        self.state.close()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
