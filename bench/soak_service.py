"""The soak's service process: the local runtime on a data dir, with a few bench-only routes beside it.

``python -m bench.soak_service --data-dir D --emulator URL --port P --clock FILE --taps DIR --log FILE
[--tap TOPIC ...]`` serves every function as ``hybrid-calendar serve`` does (the same ``build`` and
``LocalRuntime``), with its clock read from the soak's clock file and its JSON logs in ``--log``,
so the soak can restart it cleanly (SIGINT) or ``kill -9`` it. Bench-only routes under ``/soak``
(the admin token guards them) let the soak drive what it did in process before:

* ``POST /soak/idle`` ``{"timeout": s}``: wait on the bus's condition; ``{"idle", "pending"}``.
* ``POST /soak/reconcile`` ``{"principal_id"}``: the maintenance's bounded full resync of one calendar.
* ``POST /soak/publish``: re-publish a message (``data`` in base64) to redeliver it.
* ``POST /soak/tap`` ``{"topic"}``: keep a copy of every message of a topic in ``--taps/<topic>.jsonl``.
* ``GET /soak/stats``: messages published by this process and dead letters in the database.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bench.soak_clock import FileClock
from shared import logs
from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build
from shared.config import Settings
from shared.errors import HybridCalendarError
from shared.ports import BusMessage
from shared.runtime.server import LocalRuntime

ADMIN_TOKEN = "admin"


class Taps:
    """Appends every message of the tapped topics to a JSON-lines file per topic."""

    def __init__(self, directory: Path, bus: LocalBus) -> None:
        self._dir, self._bus = directory, bus
        self._lock = threading.Lock()

    def add(self, topic: str) -> None:
        """Subscribe a tap to ``topic`` (a stored subscription: nothing published meanwhile is missed)."""
        self._bus.subscribe(topic, lambda m: self._keep(topic, m), name=f"{topic}-soak-tap")

    def _keep(self, topic: str, message: BusMessage) -> None:
        line = {
            "id": message.message_id,
            "data": base64.b64encode(message.data).decode(),
            "key": message.ordering_key,
            "attributes": dict(message.attributes),
        }
        with self._lock, (self._dir / f"{topic}.jsonl").open("a") as out:
            out.write(json.dumps(line) + "\n")


class SoakRoutes:
    """The bench-only routes, in front of the runtime's WSGI app."""

    def __init__(self, app: App, runtime: LocalRuntime, taps: Taps) -> None:
        self.app, self.runtime, self.taps = app, runtime, taps

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Serve ``/soak/*`` here and everything else from the runtime."""
        request = Request(environ)
        if not request.path.startswith("/soak/"):
            return self.runtime(environ, start_response)
        header = request.headers.get("Authorization", "")
        if not hmac.compare_digest(header.encode(), f"Bearer {ADMIN_TOKEN}".encode()):
            return Response("{}", 401, mimetype="application/json")(environ, start_response)
        body = request.get_json(silent=True) or {}
        try:
            answer, status = self._route(request.path, body), 200
        except HybridCalendarError as exc:
            answer, status = exc.to_dict(), 503
        return Response(json.dumps(answer), status, mimetype="application/json")(environ, start_response)

    def _route(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        bus = self.app.bus
        assert isinstance(bus, LocalBus)
        if path == "/soak/idle":
            idle = bus.wait_idle(float(body.get("timeout", 1.0)))
            return {"idle": idle, "pending": bus.pending()}
        if path == "/soak/reconcile":
            org = self.app.provisioning.require_org(body["org_id"])
            principal = self.app.stores.principals.get_principal(org.id, body["principal_id"])
            repaired = self.app.channels.reconcile(org, principal) if principal is not None else 0
            return {"repaired": repaired}
        if path == "/soak/publish":
            data = base64.b64decode(body["data"])
            bus.publish(body["topic"], data, ordering_key=body.get("key"), attributes=body.get("attributes") or {})
            return {}
        if path == "/soak/tap":
            self.taps.add(body["topic"])
            return {}
        if path == "/soak/stats":
            return {"published": dict(bus.published), "dead_letters": len(bus.dead_letters())}
        return {"error": "no such route"}


def main() -> None:
    """Serve until SIGINT (a clean stop) or SIGKILL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--data-dir", "--emulator", "--port", "--clock", "--taps", "--log"):
        parser.add_argument(name, required=True)
    parser.add_argument("--tap", action="append", default=[])
    args = parser.parse_args()
    with Path(args.log).open("a", buffering=1) as log_stream:
        logs.configure("INFO", stream=log_stream)
        settings = Settings(
            data_dir=Path(args.data_dir),
            google_base_url=args.emulator,
            public_url=f"http://127.0.0.1:{args.port}",
            admin_token=ADMIN_TOKEN,
            bus_workers=4,
            scheduler=False,
            bus_max_attempts=5,
        )
        bus = LocalBus(workers=4, max_attempts=5, backoff_base=0.01, backoff_cap=0.05)
        app = build(settings, clock=FileClock(Path(args.clock)), bus=bus)
        runtime = LocalRuntime(app, scheduler=False)
        taps = Taps(Path(args.taps), bus)
        for topic in args.tap:
            taps.add(topic)
        server = make_server("127.0.0.1", int(args.port), SoakRoutes(app, runtime, taps), threaded=True)
        stop = threading.Event()

        def interrupt(signum: int, frame: FrameType | None) -> None:
            stop.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGINT, interrupt)
        print("serving", flush=True)
        server.serve_forever()
        runtime.close()


if __name__ == "__main__":
    main()
