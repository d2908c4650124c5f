"""End-to-end latency across processes: keyword typed → join block at Google, and push → meeting listed.

Run from the repository root (needs gcloud's Firestore and Pub/Sub emulators and Java)::

    python -m bench.bench_cloud_latency

Two deployments on this machine, measured in the same run, 50 events each, one at a time:

- **cloud**: the production topology of ``tests/cloud`` (every function in its own
  functions-framework process on the gcp backend, Firestore and Pub/Sub emulators, the harness's
  Pub/Sub push, wired from infra/);
- **serve**: ``hybrid-calendar serve`` (every function in one process, SQLite, the in-process bus);

both against the project's emulator as a separate process (``hybrid-calendar emulator``), which
pushes Calendar notifications over HTTP. *keyword → block*: from the moment ``events.insert`` with
``@webex`` in the location returns until ``events.get`` shows the join block (push, webhook,
sync, rewrite, PATCH). *push → listed*: from ``events.insert`` of a plain event until the app API
(``GET /v1/me/meetings``, with an ID token) lists it. Both are polled every 10 ms; the floor of
each figure is the emulator's own push latency and that polling. Events start 1.5 s apart: faster,
the service's per-user Google quota (``HYBRIDCAL_USER_QUOTA_PER_MINUTE``, 300 a minute per process)
throttles ``serve`` after its burst (every call then waits about 200 ms), while ten processes each
have a budget of their own.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from emulator.client import ControlClient
from emulator.testing import access_token
from shared.config import GOOGLE_SCOPES
from shared.domain.joinblock import BLOCK_BEGIN
from tests.cloud.harness.topology import Process, Topology
from tests.cloud.support import new_cloud
from tests.support import gcp_emulators
from tests.support.gcp_emulators import free_port

EVENTS = 50
POLL = 0.01
PACE = 1.5  # seconds between two events: under the per-user Google quota (300/min, per process)


def _z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the deployment did not get there in time")
        time.sleep(POLL)  # the measured poll interval


def measure(
    google: httpx.Client, user: str, listed: Callable[[str], bool], now: Callable[[], datetime]
) -> dict[str, list[float]]:
    """Per event: seconds from insert to join block, and from insert to listed by the app API."""
    out: dict[str, list[float]] = {"keyword": [], "listed": []}
    next_at = time.perf_counter()
    for i in range(EVENTS):
        for kind in ("keyword", "listed"):
            time.sleep(max(0.0, next_at - time.perf_counter()))  # pacing, not waiting for a result
            next_at = time.perf_counter() + PACE
            start = now() + timedelta(minutes=90 + 40 * i + (20 if kind == "listed" else 0))
            body: dict[str, Any] = {
                "summary": f"Bench {kind} {i}",
                "start": {"dateTime": _z(start)},
                "end": {"dateTime": _z(start + timedelta(minutes=15))},
            }
            if kind == "keyword":
                body["location"] = "@webex"
            answer = google.post(f"/calendar/v3/calendars/{user}/events", json=body)
            answer.raise_for_status()
            begun, event_id = time.perf_counter(), answer.json()["id"]
            if kind == "keyword":

                def has_block(e: str = event_id) -> bool:
                    got = google.get(f"/calendar/v3/calendars/{user}/events/{e}").json()
                    return BLOCK_BEGIN in (got.get("description") or "")

                _until(has_block)
            else:
                _until(lambda e=event_id: listed(e))  # type: ignore[misc]
            out[kind].append(time.perf_counter() - begun)
    return out


def cloud_figures(workdir: Path) -> dict[str, list[float]]:
    """The figures through the production topology."""
    workdir.mkdir(parents=True, exist_ok=True)
    firestore, pubsub = gcp_emulators.start("firestore"), gcp_emulators.start("pubsub")
    topology = Topology(workdir, firestore.host_port, pubsub.host_port, log_level="WARNING")
    try:
        topology.start()
        cloud = new_cloud(topology)
        cloud.create_org()
        cloud.active(cloud.alice)
        token = topology.user_token(cloud.alice)
        app = httpx.Client(base_url=topology.urls["meetings_api"], headers={"Authorization": f"Bearer {token}"})

        def listed(event_id: str) -> bool:
            meetings = app.get("/v1/me/meetings", params={"days": 7}).json()["meetings"]
            return any(m["id"] == event_id for m in meetings)

        with cloud.google(cloud.alice) as google:
            return measure(google, cloud.alice, listed, topology.clock.now)
    finally:
        topology.stop()
        firestore.stop()
        pubsub.stop()


@contextmanager
def _serve(workdir: Path) -> Iterator[tuple[str, str, ControlClient]]:
    """``hybrid-calendar emulator`` and ``hybrid-calendar serve`` as processes: (service URL, emulator URL, control)."""
    cli = str(Path(sys.executable).with_name("hybrid-calendar"))
    workdir.mkdir(parents=True, exist_ok=True)
    emulator_port, grpc_port, port = free_port(), free_port(), free_port()
    emulator_url, url = f"http://127.0.0.1:{emulator_port}", f"http://127.0.0.1:{port}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
    env = {
        **base,
        "HYBRIDCAL_DATA_DIR": str(workdir / "data"),
        "HYBRIDCAL_GOOGLE_BASE_URL": emulator_url,
        "HYBRIDCAL_PUBLIC_URL": url,
        "HYBRIDCAL_ADMIN_TOKEN": "bench-admin",
        "HYBRIDCAL_SCHEDULER": "off",
        "HYBRIDCAL_LOG_LEVEL": os.environ.get("SERVE_LOG_LEVEL", "WARNING"),
    }
    emulator = Process(
        "emulator",
        [cli, "emulator", "--port", str(emulator_port), "--kms-port", str(grpc_port)],
        base,
        workdir / "emulator.log",
    ).start()
    serve = Process("serve", [cli, "serve", "--port", str(port)], env, workdir / "serve.log").start()
    try:
        for probe in (f"{emulator_url}/emulator/v1/clock", f"{url}/healthz"):
            _until(lambda p=probe: _answers(p), timeout=60)  # type: ignore[misc]
        with ControlClient(emulator_url) as control:
            yield url, emulator_url, control
    finally:
        serve.kill()
        emulator.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def serve_figures(workdir: Path) -> dict[str, list[float]]:
    """The same figures through ``hybrid-calendar serve``."""
    domain, user = "serve.example.com", "alice@serve.example.com"
    with _serve(workdir) as (url, emulator_url, control):
        control.create_domain(
            domain, users=[{"email": user, "name": "Alice", "locale": "de", "timeZone": "Europe/Berlin"}]
        )
        key = control.create_service_account(domain, list(GOOGLE_SCOPES))
        admin = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench-admin"}, timeout=60)
        org = admin.post("/admin/v1/orgs", json={"domain": domain, "service_account_key": key}).json()["id"]
        admin.post(f"/admin/v1/orgs/{org}/principals", json={"email": user, "kind": "person"}).raise_for_status()
        _until(lambda: admin.get(f"/admin/v1/orgs/{org}/principals/{user}").json().get("channel_expiry") is not None)
        id_token = httpx.post(
            f"{emulator_url}/emulator/v1/id-tokens", json={"email": user, "audience": "hybrid-calendar"}
        )
        app = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {id_token.json()['idToken']}"}, timeout=60)

        def listed(event_id: str) -> bool:
            meetings = app.get("/v1/me/meetings", params={"days": 7}).json()["meetings"]
            return any(m["id"] == event_id for m in meetings)

        with httpx.Client(base_url=emulator_url, timeout=30) as raw:
            token = access_token(raw, key, user, list(GOOGLE_SCOPES))
        with httpx.Client(base_url=emulator_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as google:
            return measure(google, user, listed, lambda: datetime.now(UTC))


def _row(name: str, values: list[float], floor: float) -> str:
    cuts = statistics.quantiles(values, n=20)
    p50, p95 = statistics.median(values), cuts[18]
    return f"| {name} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | {p50 / floor:.2f}x |"


def main() -> None:
    """Print the figures as a Markdown section."""
    with tempfile.TemporaryDirectory() as tmp:
        served = serve_figures(Path(tmp) / "serve")
        cloud = cloud_figures(Path(tmp) / "cloud")
    print(f"## End-to-end latency across processes (cloud topology vs `hybrid-calendar serve`, {EVENTS} events each)\n")
    print("| path | p50 | p95 | p50 vs `serve` |")
    print("|---|---|---|---|")
    for kind, label in (
        ("keyword", "keyword typed → join block at Google"),
        ("listed", "event pushed → listed by meetings_api"),
    ):
        floor = statistics.median(served[kind])
        print(_row(f"{label}, `serve` (one process, SQLite, embedded bus)", served[kind], floor))
        print(_row(f"{label}, cloud (ten processes, Firestore + Pub/Sub emulators)", cloud[kind], floor))
    print(
        "\nThe baseline is the same path through `hybrid-calendar serve` in this run. Both poll every "
        f"{POLL * 1000:.0f} ms and start an event every {PACE:.1f} s; the cloud figures include the harness's push "
        "(one HTTP hop per message), the Firestore emulator's latency per read and write, and an ID-token check "
        "per listing."
    )


if __name__ == "__main__":
    main()
