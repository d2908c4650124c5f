"""The emulator as its own distribution: surfaces import only what they need, and the service
does not depend on the emulator's Google client library."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SERVE_AND_REPORT = """
import json, sys
import httpx
from emulator import testing
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from tests.support.instant import T0, z

surfaces = json.loads(sys.argv[1])
kwargs = {} if surfaces is None else {"surfaces": surfaces}
with EmulatorServer(**kwargs) as server:
    control = ControlClient(server.url)
    control.set_clock(time=z(T0))
    control.create_domain("example.com", users=[{"email": "ann@example.com", "name": "Ann"}])
    key = control.create_service_account("example.com", ["https://www.googleapis.com/auth/calendar"])
    with httpx.Client(base_url=server.url) as http:
        token = testing.access_token(http, key, "ann@example.com", ["https://www.googleapis.com/auth/calendar"])
        auth = {"Authorization": f"Bearer {token}"}
        start, end = z(T0), z(T0.replace(hour=(T0.hour + 1) % 24))
        body = {"summary": "Standup", "start": {"dateTime": start}, "end": {"dateTime": end}}
        made = http.post("/calendar/v3/calendars/primary/events", json=body, headers=auth)
        listed = http.get("/calendar/v3/calendars/primary/events", headers=auth)
        kms = http.post("/v1/projects/p/locations/l/keyRings/r/cryptoKeys/k:encrypt", json={"plaintext": "aGk="})
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "grpc" or m.startswith("google.cloud."))
print(json.dumps({
    "made": made.status_code,
    "listed": [item["summary"] for item in listed.json().get("items", [])],
    "kms": kms.status_code,
    "loaded": loaded,
}))
"""


def _serve(surfaces: list[str] | None) -> dict[str, object]:
    """Run the emulator with ``surfaces`` in a fresh interpreter, make Calendar calls, report what it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_AND_REPORT, json.dumps(surfaces)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_calendar_only_start_never_imports_grpc() -> None:
    """A Calendar-only emulator serves Calendar calls without grpc or any Google Cloud client in the process."""
    report = _serve(["calendar"])
    assert report["made"] == 200
    assert report["listed"] == ["Standup"]
    assert report["kms"] == 404  # Cloud KMS is not served
    assert report["loaded"] == []


def test_default_start_serves_kms_and_imports_grpc() -> None:
    """The default start serves every surface: Cloud KMS answers, so grpc and the KMS client are loaded."""
    report = _serve(None)
    assert report["made"] == 200
    assert report["kms"] == 200
    loaded = report["loaded"]
    assert isinstance(loaded, list)
    assert "grpc" in loaded
    assert "google.cloud.kms_v1" in loaded


def test_unknown_surface_is_a_clear_error() -> None:
    """Asking for a surface that does not exist names it and the known ones, before anything listens."""
    from emulator.app import create_app

    with pytest.raises(ValueError, match=r"unknown emulator surface\(s\): drive .*calendar"):
        create_app(surfaces=["calendar", "drive"])


def test_cli_refuses_unknown_surface() -> None:
    """``google-emulator --surfaces`` with an unknown name exits 2 with a message, not a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "emulator.cli", "--surfaces", "calendar,drive"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown surface(s) drive" in done.stderr
    assert "Traceback" not in done.stderr


def test_service_runtime_never_imports_googleapiclient() -> None:
    """Importing every module of shared/ and functions/ loads neither googleapiclient nor the emulator."""
    script = """
import importlib, json, pkgutil, sys
import shared, functions
names = []
for package in (shared, functions):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
import main
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("googleapiclient", "emulator"))
print(json.dumps({"modules": len(names), "loaded": loaded}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["modules"] > 50
    assert report["loaded"] == []


def test_service_distribution_does_not_require_google_api_client() -> None:
    """The service's runtime requirements leave google-api-python-client to the emulator and the dev extra."""
    requires = importlib.metadata.requires("hybrid-calendar") or []
    runtime = [r for r in requires if "extra ==" not in r]
    assert runtime, "the service has runtime requirements"
    assert not [r for r in runtime if r.startswith("google-api-python-client")]
    emulator_requires = importlib.metadata.requires("google-workspace-emulator") or []
    assert any(r.startswith("google-api-python-client") for r in emulator_requires)
    assert any(r.startswith("grpcio") and 'extra == "grpc"' in r for r in emulator_requires)
