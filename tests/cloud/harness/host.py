"""One entry point in its own process, as ``functions-framework --source main.py --target NAME`` runs it.

``python -m tests.cloud.harness.host --target NAME --port P --fd N --clock FILE --granted T1,T2`` runs
what functions-framework's command line runs (``create_app``, then its gunicorn server), on a listening
socket the harness opened and passed down (``--fd``: the port can never be taken by another process
between choosing it and binding it, and survives a restart), with two additions a real deployment
gets from Google:
the App's clock is the topology's (:class:`~tests.cloud.harness.clock.FileClock`, so every process
and the emulator share one instant), and publishing to a topic the function has no
``roles/pubsub.publisher`` grant on fails as Pub/Sub's IAM would make it fail (the emulator has no
IAM). The App itself is built by the product's own ``from_environment`` on the first request.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared import bootstrap
from shared.adapters.bus.wire import SendsMessages
from shared.errors import Forbidden
from shared.runtime.server import main_source
from tests.cloud.harness.clock import FileClock


class GrantedBus(SendsMessages):
    """A MessageBus that refuses topics without a publish grant, like Pub/Sub's PermissionDenied."""

    def __init__(self, bus: Any, granted: set[str]) -> None:
        self._bus = bus
        self._granted = granted

    def publish(
        self, topic: str, data: bytes, *, ordering_key: str | None = None, attributes: Mapping[str, str] | None = None
    ) -> str:
        """Publish when the function holds a grant on ``topic``."""
        if topic not in self._granted:
            raise Forbidden(f"publish: permission denied on topic {topic}", reason="permissionDenied")
        return str(self._bus.publish(topic, data, ordering_key=ordering_key, attributes=attributes))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bus, name)


def main(argv: list[str] | None = None) -> None:
    """Install the App factory, then hand over to functions-framework's command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True)
    parser.add_argument("--port", required=True)
    parser.add_argument("--clock", required=True, type=Path)
    parser.add_argument("--granted", default="")
    parser.add_argument("--fd", type=int, default=None, help="An inherited listening socket to serve on.")
    args = parser.parse_args(argv)
    granted = {topic for topic in args.granted.split(",") if topic}

    def app() -> bootstrap.App:
        built = bootstrap.from_environment(clock=FileClock(args.clock))
        return bootstrap.rewire(built, bus=GrantedBus(built.bus, granted))

    bootstrap.set_app_factory(app)
    if args.fd is None:
        from functions_framework._cli import _cli

        command = ["--target", args.target, "--source", main_source(), "--host", "127.0.0.1", "--port", args.port]
        _cli.main(args=command, prog_name="functions-framework")
        return
    from functions_framework import create_app
    from functions_framework._http import create_server

    create_server(create_app(args.target, main_source()), False, bind=f"fd://{args.fd}").run("127.0.0.1", args.port)


if __name__ == "__main__":
    main()
