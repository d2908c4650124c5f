"""Binding a listening port with an error that says which server, which address and what to do."""

from __future__ import annotations

import errno
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


class ListenError(Exception):
    """A server could not listen on its address (in use, not allowed, no such address)."""

    def __init__(self, what: str, host: str, port: int, exc: OSError) -> None:
        if exc.errno == errno.EADDRINUSE:
            why = "the port is already in use (is another one running?); choose another port"
        elif exc.errno == errno.EACCES:
            why = "permission denied (ports below 1024 need privileges); choose another port"
        else:
            why = exc.strerror or type(exc).__name__
        super().__init__(f"{what} cannot listen on {host}:{port}: {why}")
        self.message = str(self)


def probe(what: str, host: str, port: int) -> None:
    """Raise :class:`ListenError` unless ``host:port`` can be bound now (as the server would bind it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        raise ListenError(what, host, port, exc) from None


def bind(what: str, host: str, port: int, make: Callable[[], T]) -> T:
    """Check the address, then run ``make`` (which binds it); failing to listen is a :class:`ListenError`.

    Werkzeug's server prints its own message and exits when it cannot bind, so the address is
    probed first; a port taken in between still ends as a ListenError.
    """
    probe(what, host, port)
    try:
        return make()
    except OSError as exc:
        raise ListenError(what, host, port, exc) from None
    except SystemExit:
        raise ListenError(what, host, port, OSError(errno.EADDRINUSE, "in use")) from None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Make SIGTERM stop a foreground command as Ctrl-C does (so it cleans up), and Ctrl-C stop it at all.

    SIGINT is set explicitly: a process started as a background job of a non-interactive shell
    inherits SIGINT ignored, and would otherwise never stop on Ctrl-C.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)


def wait_until_stopped() -> None:
    """Block the main thread until Ctrl-C or SIGTERM raises KeyboardInterrupt in it.

    The wait wakes twice a second: the kernel may hand the signal to any other thread, and Python runs
    the handler only when the main thread runs again, so a wait with no end would never see it.
    """
    never = threading.Event()
    while not never.wait(0.5):
        pass
