"""The production topology on one machine: ten function processes, Google's emulators, infra's wiring.

:class:`Topology` starts the project's emulator (``hybrid-calendar emulator`` with Calendar, Gmail,
OAuth, OIDC, IAM ID tokens, Cloud KMS and Secret Manager over gRPC), uses Google's Firestore and
Pub/Sub emulators, creates the topics and subscriptions infra declares, stores the admin token in
Secret Manager and hands it to ``admin_api`` as Cloud Run would, and starts every entry point in its
own functions-framework process (:mod:`tests.cloud.harness.host`) with the environment infra gives it
plus the emulator endpoints. :class:`~tests.cloud.harness.pusher.Pusher` plays Pub/Sub push and
:meth:`Topology.fire` plays Cloud Scheduler. Everything is started in parallel and torn down by
process group.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from emulator.client import ControlClient
from functions.registry import ENTRY_POINTS
from shared.runtime.server import main_source
from tests.cloud.harness import gcp_clients
from tests.cloud.harness.clock import ClockFile
from tests.cloud.harness.infra import InfraView
from tests.cloud.harness.pusher import Pusher
from tests.support.gcp_emulators import free_port
from tests.support.instant import z

PROJECT = "hybridcal-cloud"
EMULATOR_HOSTS = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")
MAX_RETENTION = 7 * 86400  # the Pub/Sub emulator refuses longer message retention


class TopologyError(RuntimeError):
    """A process of the topology did not start or stopped."""


class Process:
    """A child process in its own process group, its output in a file."""

    def __init__(
        self, name: str, command: list[str], env: dict[str, str], log: Path, pass_fds: tuple[int, ...] = ()
    ) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.pass_fds = pass_fds
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        """Start (again) with the same command, environment and inherited sockets."""
        with self.log.open("ab") as sink:
            self.popen = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=sink,
                stderr=sink,
                start_new_session=True,
                cwd=Path(main_source()).parent,
                pass_fds=self.pass_fds,
            )
        return self

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.popen is not None and self.popen.poll() is None

    def send(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the whole group without waiting."""
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole group and wait for the leader."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)

    def output(self) -> str:
        """Everything the process wrote so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _listening() -> socket.socket:
    """A listening TCP socket on a free loopback port, inheritable by a child process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code > 0
    except httpx.HTTPError:
        return False


class Topology:
    """Every function in its own process on the emulators, wired as infra/ declares."""

    def __init__(
        self,
        workdir: Path,
        firestore: str,
        pubsub: str,
        *,
        start: datetime | None = None,
        backoff_scale: float = 0.02,
        log_level: str = "INFO",
        project: str = PROJECT,
    ) -> None:
        self.workdir = workdir
        self.firestore, self.pubsub = firestore, pubsub
        self.project = project
        self.start_at = start
        self.log_level = log_level
        self.clock = ClockFile(workdir / "clock")
        self._sockets = {ep.name: _listening() for ep in ENTRY_POINTS}  # held until stop: no one else takes them
        self.ports = {name: int(sock.getsockname()[1]) for name, sock in self._sockets.items()}
        self.emulator_port, self.grpc_port = free_port(), free_port()
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.view = InfraView(project, self.urls, public_url=self.urls["calendar_webhook"])
        self.admin_token = secrets.token_hex(24)  # infra: random_password, 48 characters, no specials
        self.processes: dict[str, Process] = {}
        self.pusher = Pusher(
            pubsub, project, self.view.push_subscriptions(), self.service_token, backoff_scale=backoff_scale
        )
        self.control = ControlClient(self.emulator_url)
        self._domains = 0
        self._publisher: Any = None

    # ------------------------------------------------------------ start and stop

    def start(self, *, functions: bool = True) -> Topology:
        """Start the emulator and the functions in parallel, create infra's Pub/Sub resources, start pushing."""
        self.clock.set(self.start_at)
        self._start_emulator()
        pubsub = threading.Thread(target=self._create_pubsub, name="create-pubsub")
        pubsub.start()
        self._wait(lambda: _answers(f"{self.emulator_url}/emulator/v1/clock"), "the project's emulator", 60)
        self.control.set_clock(time=z(self.clock.now()))
        self._store_admin_token()
        names = list(self.ports) if functions else []
        for name in names:
            self.processes[name] = self._function(name).start()
        pubsub.join()
        for name in names:
            self._wait_function(name)
        if functions:
            self.pusher.start()
        return self

    def stop(self) -> None:
        """Stop pushing and every process."""
        with contextlib.suppress(Exception):
            self.pusher.stop()
        if self._publisher is not None:
            with contextlib.suppress(Exception):
                self._publisher.stop()
        for process in self.processes.values():
            process.send(signal.SIGTERM)
        for process in self.processes.values():
            process.kill(signal.SIGTERM)
        for sock in self._sockets.values():
            sock.close()
        self.control.close()

    def _start_emulator(self) -> None:
        command = [
            str(Path(sys.executable).with_name("hybrid-calendar")),
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.emulator_port),
            "--kms-port",
            str(self.grpc_port),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
        self.processes["emulator"] = Process("emulator", command, env, self.workdir / "emulator.log").start()

    def _create_pubsub(self) -> None:
        publisher, subscriber = gcp_clients.pubsub(self.pubsub)
        try:
            for name in self.view.topics().values():
                gcp_clients.ensure_topic(publisher, self.project, name)
            retention = min(self.view.dead_letter_retention(), MAX_RETENTION)
            for _key, (name, topic) in self.view.dead_letter_subscriptions().items():
                gcp_clients.ensure_subscription(
                    subscriber, self.project, name, topic, ack_deadline=60, retention_seconds=retention
                )
            for sub in self.view.push_subscriptions():
                dead_letter = None
                if sub.dead_letter_topic is not None and sub.max_delivery_attempts is not None:
                    dead_letter = (sub.dead_letter_topic, sub.max_delivery_attempts)
                gcp_clients.ensure_subscription(
                    subscriber,
                    self.project,
                    sub.name,
                    sub.topic,
                    ack_deadline=sub.ack_deadline,
                    ordered=sub.ordered,
                    retention_seconds=min(sub.retention_seconds, MAX_RETENTION),
                    backoff=(sub.min_backoff, sub.max_backoff),
                    dead_letter=dead_letter,
                )
        finally:
            subscriber.close()
            publisher.stop()

    def _store_admin_token(self) -> None:
        """The admin-token secret and its version, as infra/secrets.tf creates them."""
        secret = self.view.resolve(("google_secret_manager_secret", "admin_token", "secret_id"))
        gcp_clients.put_secret(self.secret_endpoint, self.project, str(secret), self.admin_token.encode())

    @property
    def secret_endpoint(self) -> str:
        """``host:port`` of the emulator's Secret Manager and Cloud KMS."""
        return f"127.0.0.1:{self.grpc_port}"

    def environment(self, name: str) -> dict[str, str]:
        """What the function process gets: infra's environment and secrets, plus the emulator endpoints."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_") and k not in EMULATOR_HOSTS}
        env.update(self.view.environment(name))
        for secret in self.view.secret_environment(name):
            version = f"projects/{self.project}/secrets/{secret.secret}/versions/{secret.version}"
            env[secret.key] = gcp_clients.access_secret(self.secret_endpoint, version).decode()
        env.update(
            HYBRIDCAL_LOG_LEVEL=self.log_level or env.get("HYBRIDCAL_LOG_LEVEL", "INFO"),
            HYBRIDCAL_GOOGLE_BASE_URL=self.emulator_url,
            HYBRIDCAL_KMS_ENDPOINT=self.secret_endpoint,
            HYBRIDCAL_SECRET_MANAGER_ENDPOINT=self.secret_endpoint,
            FIRESTORE_EMULATOR_HOST=self.firestore,
            PUBSUB_EMULATOR_HOST=self.pubsub,
            FUNCTION_TARGET=name,
            K_SERVICE=name.replace("_", "-"),
            XDG_RUNTIME_DIR=str(self._runtime_dir(name)),  # gunicorn's control socket, one per "container"
        )
        return env

    def _runtime_dir(self, name: str) -> Path:
        path = self.workdir / "run" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _function(self, name: str) -> Process:
        granted = ",".join(sorted(self.view.publish_grants()[name]))
        command = [
            sys.executable,
            "-m",
            "tests.cloud.harness.host",
            "--target",
            name,
            "--port",
            str(self.ports[name]),
            "--clock",
            str(self.clock.path),
            "--granted",
            granted,
            "--fd",
            str(self._sockets[name].fileno()),
        ]
        fds = (self._sockets[name].fileno(),)
        return Process(name, command, self.environment(name), self.workdir / f"{name}.log", pass_fds=fds)

    def _wait(self, condition: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)  # waiting for an external process to listen
        raise TopologyError(f"{what} did not start within {timeout:.0f} s")

    def _wait_function(self, name: str, timeout: float = 120.0) -> None:
        process = self.processes[name]

        def ready() -> bool:
            if not process.alive():
                raise TopologyError(f"{name} exited:\n{process.output()[-3000:]}")
            return _answers(self.urls[name])

        self._wait(ready, name, timeout)

    # ------------------------------------------------------------ what tests use

    def service_token(self, service_account: str, audience: str) -> str:
        """An OIDC token for a service account and audience, from the emulator's IAM Credentials API."""
        path = f"/v1/projects/-/serviceAccounts/{service_account}:generateIdToken"
        answer = httpx.post(f"{self.emulator_url}{path}", json={"audience": audience, "includeEmail": True}, timeout=30)
        answer.raise_for_status()
        return str(answer.json()["token"])

    def user_token(self, email: str) -> str:
        """A user's ID token for the app's client id (what the app sends meetings_api)."""
        audience = self.view.environment("meetings_api")["HYBRIDCAL_OIDC_CLIENT_ID"]
        answer = httpx.post(f"{self.emulator_url}/emulator/v1/id-tokens", json={"email": email, "audience": audience})
        answer.raise_for_status()
        return str(answer.json()["idToken"])

    def admin(self) -> httpx.Client:
        """A client of admin_api with the admin token."""
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        return httpx.Client(base_url=self.urls["admin_api"], headers=headers, timeout=60)

    def fire(self, function: str) -> httpx.Response:
        """Run a Cloud Scheduler job now: its method, URI, headers and body, with its OIDC token."""
        job = next(j for j in self.view.scheduler_jobs() if j.function == function)
        headers = {**job.headers, "Authorization": f"Bearer {self.service_token(job.service_account, job.audience)}"}
        return httpx.request(job.method, job.uri, headers=headers, content=job.body, timeout=900)

    def kill(self, name: str) -> None:
        """SIGKILL a function process (its whole group)."""
        self.processes[name].kill(signal.SIGKILL)

    def restart(self, name: str) -> None:
        """Start a stopped function process again and wait until it answers."""
        self.processes[name].start()
        self._wait_function(name)

    def output(self, name: str) -> str:
        """What a process wrote to stdout and stderr."""
        return self.processes[name].output()

    def new_domain(self) -> str:
        """A Workspace domain no earlier scenario used."""
        self._domains += 1
        return f"t{self._domains}-{secrets.token_hex(3)}.cloud.example.com"

    def documents(self, collection: str) -> list[dict[str, Any]]:
        """Firestore documents of one collection, as stored (sealed fields stay sealed)."""
        return gcp_clients.firestore_documents(self.firestore, self.project, collection)

    def dead_letters(self, topic: str) -> list[Any]:
        """Messages in ``topic``'s dead-letter subscription (pulled and acknowledged)."""
        name, _ = self.view.dead_letter_subscriptions()[topic]
        return gcp_clients.drain(self.pubsub, self.project, name)

    def publish(self, topic: str, data: bytes, *, ordering_key: str = "", **attributes: str) -> str:
        """Publish to one of infra's topics (by key) as some other publisher would; return the message id."""
        from google.cloud import pubsub_v1

        if self._publisher is None:
            options = pubsub_v1.types.PublisherOptions(enable_message_ordering=True)
            publisher, subscriber = gcp_clients.pubsub(self.pubsub, publisher_options=options)
            subscriber.close()
            self._publisher = publisher
        path = self._publisher.topic_path(self.project, self.view.topics()[topic])
        future = self._publisher.publish(path, data, ordering_key=ordering_key, **attributes)
        return str(future.result(timeout=30))

    def barrier(self, topic: str, consumer: str, data: bytes, ordering_key: str, timeout: float = 120.0) -> None:
        """Publish ``data`` behind everything already published with ``ordering_key`` and wait until it is pushed.

        Ordered delivery makes every earlier message of that key delivered (or dead-lettered) by then.
        """
        message_id = self.publish(topic, data, ordering_key=ordering_key)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(d.message_id == message_id and d.status in (200, 204) for d in self.pusher.attempts(consumer)):
                return
            time.sleep(0.05)  # polling the pusher's record of deliveries
        raise TopologyError(f"the barrier on {topic} ({ordering_key}) was not delivered")

    def reset(self) -> None:
        """Between scenarios: no delivery in progress, empty emulators at the start instant."""
        self.pusher.abandon()
        if not self.pusher.wait_idle(120):
            raise TopologyError("deliveries did not finish")
        self.pusher.deliveries.clear()
        self.pusher.dead_lettered.clear()
        self.control.reset()
        now = self.clock.set(self.start_at)
        self.control.set_clock(time=z(now))
        gcp_clients.reset_firestore(self.firestore, self.project)
        for topic in self.view.dead_letter_subscriptions():
            self.dead_letters(topic)
        dead = [name for name, process in self.processes.items() if not process.alive()]
        if dead:
            raise TopologyError(f"processes stopped: {', '.join(dead)}")
