"""The demo: it runs the real flow over HTTP, and what it narrates is what Google and the service hold."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from emulator.server import EmulatorServer
from shared import config
from shared.bootstrap import build
from shared.clock import AcceleratedClock, SystemClock
from shared.domain.joinblock import BLOCK_BEGIN
from shared.runtime.demo import ALICE, BOB, narrate
from shared.runtime.demo_world import DemoWorld
from shared.runtime.server import LocalRuntime, RuntimeServer
from tests.support.gcp_emulators import free_port


def test_narration_matches_the_emulator_and_the_service(tmp_path: Path) -> None:
    """Each narrated step is checked against the emulator's event, its request log and the app API."""
    emulator = EmulatorServer(host="127.0.0.1", port=0)
    clock = AcceleratedClock(SystemClock().now().replace(microsecond=0), factor=1.0)
    port = free_port()
    token = secrets.token_urlsafe(16)
    settings = config.Settings(
        data_dir=tmp_path,
        port=port,
        google_base_url=emulator.url,
        public_url=f"http://127.0.0.1:{port}",
        admin_token=token,
        scheduler=False,
    )
    server = RuntimeServer(LocalRuntime(build(settings, clock=clock)), "127.0.0.1", port).start()
    world = DemoWorld(emulator.url, server.url, token)
    try:
        report = narrate(world, server.runtime, clock, Console(quiet=True))
        assert BLOCK_BEGIN in report["patched"] and "https://example.webex.com/meet/alice" in report["patched"]
        assert report["cleaned"] == "Agenda:\n1. Budget\n2. Hiring"
        assert world.event(ALICE, report["event_id"])["description"] == report["cleaned"]
        patches = world.control("GET", "/requests", params={"operation": "calendar.events.patch"})["items"]
        done = [p["subject"] for p in patches if p["status"] == 200]
        assert done == [ALICE, ALICE, ALICE]  # the service's block, Alice's own edit, the service's removal
        assert "Quarterly planning" in [m["title"] for m in report["meetings"]]
        assert "Quarterly planning" in [m["title"] for m in report["room_meetings"]]
        presence = world.app(world.sign_in(BOB), "GET", f"/v1/people/{ALICE}/presence")
        assert presence["status"] == "out_of_office" and presence["message"] == "Out until Monday"
        assert report["notice"]["title"] == "Quarterly planning"
    finally:
        world.close()
        server.stop()
        emulator.stop()


def test_demo_command_exits_zero_once(tmp_path: Path) -> None:
    """`demo --once` runs the narration in a folder under HYBRIDCAL_DATA_DIR, names it, removes it and exits 0."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared.cli",
            "demo",
            "--once",
            "--port",
            str(free_port()),
            "--emulator-port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "COLUMNS": "200", "HYBRIDCAL_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "The keyword is removed" in result.stdout and "Traceback" not in result.stderr
    assert f"Data in {tmp_path}/hybrid-calendar-demo-" in result.stdout
    assert f"Removed the demo's data directory {tmp_path}/hybrid-calendar-demo-" in result.stdout
    assert list(tmp_path.iterdir()) == []
    assert "Bob's app got a join button: Quarterly planning → https://example.webex.com/meet/alice" in result.stdout
