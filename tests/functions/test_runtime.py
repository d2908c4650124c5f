"""The local runtime: one HTTP server for every function, the bus bridge and the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.bootstrap import build
from shared.config import Settings
from shared.ports.messages import SyncCalendar
from shared.runtime.server import LocalRuntime, RuntimeServer
from shared.topics import CALENDAR_SYNC
from tests.support.gcp_emulators import free_port
from tests.support.wait import wait_until


@pytest.fixture
def server(settings: Settings) -> Iterator[RuntimeServer]:
    srv = RuntimeServer(LocalRuntime(build(settings), scheduler=False)).start()
    yield srv
    srv.stop()


def test_healthz_reports_version_and_backends(server: RuntimeServer) -> None:
    """GET /healthz answers 200 with the version and the embedded backends."""
    body = httpx.get(f"{server.url}/healthz").json()
    assert body["status"] == "ok" and body["version"]
    assert body["backends"]["store"] == "SqliteDocumentStore"
    assert body["backends"]["bus"] == "LocalBus"
    assert body["backends"]["kek"] == "LocalKek"


def test_routes_and_admin_protection(server: RuntimeServer) -> None:
    """Unknown paths are 404 JSON; admin and scheduled paths want the admin token."""
    missing = httpx.get(f"{server.url}/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{server.url}/admin/v1/orgs").status_code == 401
    assert httpx.post(f"{server.url}/maintain_channels").status_code == 401
    ok = httpx.get(f"{server.url}/admin/v1/orgs", headers={"Authorization": "Bearer test-admin-token"})
    assert ok.status_code != 401 and ok.headers["content-type"].startswith("application/json")
    wrong = httpx.get(f"{server.url}/admin/v1/orgs", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401
    webhook = httpx.post(f"{server.url}/calendar_webhook")
    assert webhook.status_code < 500 or webhook.status_code == 501


def test_bus_messages_reach_event_functions_as_cloudevents(server: RuntimeServer) -> None:
    """A message on calendar-sync is delivered to sync_calendar through its CloudEvent envelope."""
    runtime = server.runtime
    bus = runtime.app.bus
    bus.publish(CALENDAR_SYNC, SyncCalendar(org_id="o", principal_id="p").encode(), ordering_key="o/p")
    assert bus.wait_idle(10)  # type: ignore[attr-defined]
    assert bus.delivered.get(CALENDAR_SYNC) == 1  # type: ignore[attr-defined]
    assert bus.dead_letters() == []  # type: ignore[attr-defined]


def test_scheduled_jobs_call_their_functions(server: RuntimeServer) -> None:
    """The local scheduler runs each scheduled function through its entry point without crashing."""
    jobs = ("maintain_channels", "poll_vacations", "dispatch_join_buttons", "release_rooms")
    for name in jobs:
        assert server.runtime.run_job(name) in (200, 204, 501)
    assert set(server.runtime.scheduler.jobs) == set(jobs)


def test_serve_command_starts_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """`hybrid-calendar serve` answers /healthz and exits 0 on SIGINT."""
    port = free_port()
    env = {**os.environ, "HYBRIDCAL_DATA_DIR": str(tmp_path), "HYBRIDCAL_SCHEDULER": "off"}
    err_path = tmp_path / "stderr.txt"
    with (
        err_path.open("wb") as err_file,
        subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err_file,
        ) as proc,
    ):
        try:

            def healthy() -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
                except httpx.HTTPError:
                    return False

            assert wait_until(healthy, timeout=30)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "Traceback" not in err_path.read_text()


@pytest.mark.parametrize(("args", "code"), [(["frobnicate"], 2), (["serve", "--bogus"], 2)])
def test_cli_usage_errors_exit_2(args: list[str], code: int) -> None:
    """Unknown subcommands and options print usage and exit 2."""
    result = subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True, check=False)
    assert result.returncode == code
    assert "Usage" in result.stderr or "Usage" in result.stdout


def test_cli_reports_invalid_settings(tmp_path: Path) -> None:
    """A bad setting is one clear message naming the variable, with exit 2 and no traceback."""
    env = {**os.environ, "HYBRIDCAL_BACKEND": "oracle"}
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "serve"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "HYBRIDCAL_BACKEND" in result.stderr and "Traceback" not in result.stderr
