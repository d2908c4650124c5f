"""The local runtime: every function in one process behind one HTTP server.

HTTP functions are mounted under their paths through functions-framework's own app (the
same entry points Cloud Functions runs), beside ``/healthz``, a landing page at ``/`` and the
favicon; bus messages reach the event functions as the
CloudEvent envelopes Pub/Sub and Eventarc produce; the local scheduler calls the scheduled
functions. Non-public paths want the admin token at the front door, as IAM guards them in the
cloud; behind it the runtime calls each function as a trusted in-process caller (the functions
check their callers themselves when they run on their own).
"""

from __future__ import annotations

import base64
import hmac
import importlib.util
import json
import threading
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import functions_framework
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

import shared
from functions.registry import ENTRY_POINTS, SCHEDULE_SECONDS, EntryPoint
from shared import failures
from shared.api.http import error
from shared.api.invokers import TRUSTED
from shared.bootstrap import App, set_app
from shared.errors import HybridCalendarError, RetryableError, Unavailable
from shared.logs import ctx, get_logger
from shared.ports import BusMessage
from shared.runtime import icons
from shared.runtime.listen import stop_on_sigterm
from shared.runtime.scheduler import LocalScheduler
from shared.topics import TOPICS

log = get_logger(__name__)
HEALTH_EVERY = 5.0
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def main_source() -> str:
    """The path of the root ``main.py`` Cloud Functions would load."""
    spec = importlib.util.find_spec("main")
    if spec is not None and spec.origin and Path(spec.origin).name == "main.py":
        return spec.origin
    return str(Path(shared.__file__).resolve().parent.parent / "main.py")


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def trusted(app: WsgiApp) -> WsgiApp:
    """``app`` called as the runtime itself: the functions skip their own caller check."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[TRUSTED] = True
        return app(environ, start_response)

    return call


WEB = Path(shared.__file__).resolve().parent / "web"
STATIC = {"/": "text/html", "/favicon.ico": "image/x-icon", "/favicon.svg": "image/svg+xml"}


def _static(path: str) -> Response:
    """The landing page (links to the app, the room display and the API documents) or the icon."""
    if path == "/":
        response = Response((WEB / "index.html").read_bytes(), mimetype=STATIC[path])
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'unsafe-inline'"
        response.headers["Cache-Control"] = "no-cache"
    else:
        response = Response(icons.ICO if path == "/favicon.ico" else icons.SVG, mimetype=STATIC[path])
        response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def pubsub_envelope(message: BusMessage, project: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The binary-mode CloudEvent Eventarc delivers for a Pub/Sub message: headers and body."""
    publish_time = message.publish_time.isoformat().replace("+00:00", "Z") if message.publish_time else None
    headers = {
        "ce-id": message.message_id or uuid.uuid4().hex,
        "ce-specversion": "1.0",
        "ce-source": f"//pubsub.googleapis.com/projects/{project}/topics/{message.topic}",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "Content-Type": "application/json",
    }
    if publish_time:
        headers["ce-time"] = publish_time
    body = {
        "message": {
            "data": base64.b64encode(message.data).decode(),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "publishTime": publish_time,
            "orderingKey": message.ordering_key or "",
        },
        "subscription": f"projects/{project}/subscriptions/{message.topic}-local",
        "deliveryAttempt": message.delivery_attempt,
    }
    return headers, body


class LocalRuntime:
    """Hosts every function of the service in this process."""

    def __init__(self, app: App, *, scheduler: bool | None = None, project: str = "local") -> None:
        self.app = app
        self.project = project
        set_app(app)
        source = main_source()
        create: Callable[..., WsgiApp] = functions_framework.create_app
        self.function_apps: dict[str, WsgiApp] = {
            ep.name: trusted(create(target=ep.name, source=source)) for ep in ENTRY_POINTS
        }
        for ep in ENTRY_POINTS:
            if ep.trigger == "pubsub" and ep.topic:
                self.app.bus.subscribe(ep.topic, self._deliverer(ep), name=f"{ep.topic}-{ep.name}")
        for spec in TOPICS:
            if spec.dead_letter:  # admins see every dead letter (the admin API and `dead-letters`)
                self.app.bus.subscribe(
                    spec.dead_letter_name, app.dead_letters.record, name=f"{spec.dead_letter_name}-admin"
                )
        self.scheduler = LocalScheduler()
        for name, interval in SCHEDULE_SECONDS.items():
            self.scheduler.add(name, interval, self._scheduled_caller(name), first_in=interval)
        self._run_scheduler = app.settings.scheduler if scheduler is None else scheduler
        self._health_lock = threading.Lock()
        self._health_at: float | None = None
        self._health_problem: str | None = None

    # ------------------------------------------------------------ bus and scheduler bridges

    def _deliverer(self, ep: EntryPoint) -> Callable[[BusMessage], None]:
        def deliver(message: BusMessage) -> None:
            headers, body = pubsub_envelope(message, self.project)
            failures.take()
            response = Client(self.function_apps[ep.name]).post("/", headers=headers, data=json.dumps(body))
            failure = failures.take()  # what the function raised, on this thread: the bus defers or records it
            if response.status_code >= 300:
                if isinstance(failure, HybridCalendarError):
                    raise failure
                cause = f": {type(failure).__name__}" if failure is not None else ""
                raise RetryableError(f"{ep.name} answered {response.status_code}{cause}")

        return deliver

    def _scheduled_caller(self, name: str) -> Callable[[], int]:
        def call() -> int:
            response = Client(self.function_apps[name]).post("/", data=b"{}", content_type="application/json")
            if response.status_code == 501:
                log.warning("scheduled job is not available in this release", extra=ctx(job=name))
            elif response.status_code >= 500:
                raise Unavailable(f"{name} answered {response.status_code}")
            else:
                log.info("scheduled job ran", extra=ctx(job=name, status=response.status_code))
            return response.status_code

        return call

    def run_job(self, name: str) -> int:
        """Run one scheduled function now and return its HTTP status (the demo and tests use it)."""
        return self._scheduled_caller(name)()

    # ------------------------------------------------------------ HTTP

    def _health(self) -> tuple[dict[str, Any], int]:
        """200 while the store answers and is sound (checked at most every few seconds), else 503."""
        now = self.app.clock.monotonic()
        with self._health_lock:
            if self._health_at is None or now - self._health_at >= HEALTH_EVERY:
                try:
                    self._health_problem = self.app.health()
                except HybridCalendarError as exc:
                    self._health_problem = exc.message
                self._health_at = now
            problem = self._health_problem
        body: dict[str, Any] = {"status": "ok", "version": shared.__version__, "backends": self.app.backends}
        if problem is None:
            return body, 200
        log.error("health check failed: the store is not readable")
        return {**body, "status": "unavailable", "store": problem[:300]}, 503

    def _route(self, path: str) -> EntryPoint | None:
        for ep in ENTRY_POINTS:
            for prefix in ep.paths:
                if path == prefix or path.startswith(prefix + "/"):
                    return ep
        return None

    def _authorised(self, request: Request) -> bool:
        token = self.app.settings.admin_token
        header = request.headers.get("Authorization", "")
        if not token or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[7:].encode(), token.encode())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI application of the local runtime."""
        request = Request(environ)
        path = request.path
        if path == "/healthz":
            return _json(*self._health())(environ, start_response)
        if path in STATIC and request.method in ("GET", "HEAD"):
            return _static(path)(environ, start_response)
        ep = self._route(path)
        if ep is None:
            return error("not_found", "no function is mounted at this path", 404)(environ, start_response)
        if not ep.public and not self._authorised(request):
            message = (
                "this path needs the admin token (Authorization: Bearer ...)"
                if self.app.settings.admin_token
                else "the admin API is disabled: set HYBRIDCAL_ADMIN_TOKEN"
            )
            return error("unauthenticated", message, 401)(environ, start_response)
        if ep.trigger == "scheduled" and request.method != "POST":
            return error("method_not_allowed", "scheduled functions take POST", 405)(environ, start_response)
        return self.function_apps[ep.name](environ, start_response)

    # ------------------------------------------------------------ lifecycle

    def start_background(self) -> None:
        """Start the scheduler (when enabled)."""
        if self._run_scheduler:
            self.scheduler.start()

    def close(self) -> None:
        """Stop the scheduler and release the App."""
        self.scheduler.stop()
        self.app.close()
        set_app(None)


class RuntimeServer:
    """A threaded HTTP server around a LocalRuntime (``serve`` and tests)."""

    def __init__(self, runtime: LocalRuntime, host: str = "127.0.0.1", port: int = 0) -> None:
        self.runtime = runtime
        self._server: BaseWSGIServer = make_server(host, port, runtime, threaded=True)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL the server listens on."""
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    def start(self) -> RuntimeServer:
        """Serve on a daemon thread."""
        self.runtime.start_background()
        self._thread = threading.Thread(target=self._server.serve_forever, name="runtime-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until Ctrl-C or SIGTERM (both raise KeyboardInterrupt here)."""
        stop_on_sigterm()
        self.runtime.start_background()
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the runtime."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.runtime.close()
