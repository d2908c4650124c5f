"""The control plane, the key file format and the HTTP server entry points."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.client import ControlClient, ControlError
from emulator.server import EmulatorServer
from tests.emulator.conftest import ANN, BOB, ROOM, Api, timed, wait_until

ROOT = Path(__file__).resolve().parents[2]


def test_service_account_key_file_format(api: Api) -> None:
    """The key file has Google's fields, an RSA-2048 PEM key and token_uri at the emulator."""
    key = api.key
    assert key["type"] == "service_account"
    assert set(key) >= {
        "project_id",
        "private_key_id",
        "private_key",
        "client_email",
        "client_id",
        "auth_uri",
        "token_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
    }
    assert key["token_uri"] == "http://emulator.test/token"
    assert key["client_email"].endswith(".iam.gserviceaccount.com")
    assert key["client_id"].isdigit() and len(key["client_id"]) == 21
    private = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048


def test_domains_users_and_vacation(api: Api) -> None:
    """Domains list their users and rooms; vacation set by the control plane shows in Gmail."""
    domains = api.http.get("/emulator/v1/domains").json()["items"]
    example = next(d for d in domains if d["domain"] == "example.com")
    assert {u["email"] for u in example["users"]} >= {ANN, BOB}
    assert example["rooms"] == [{"email": ROOM, "name": "Room 1", "timeZone": "UTC"}]
    api.control.set_vacation(BOB, {"enableAutoReply": True, "responseSubject": "Out"})
    got = api.call("GET", "/gmail/v1/users/me/settings/vacation", BOB).json()
    assert got == {
        "enableAutoReply": True,
        "responseSubject": "Out",
        "restrictToContacts": False,
        "restrictToDomain": False,
    }


def test_admin_event_view_costs_no_api_calls(api: Api) -> None:
    """The admin view lists a calendar's copies without adding to the request log."""
    made = api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00", attendees=[{"email": ROOM}]))
    api.control.clear_requests()
    assert [e["id"] for e in api.control.events(ROOM)] == [made["id"]]
    api.call("DELETE", f"/calendar/v3/calendars/primary/events/{made['id']}")
    assert api.control.events(ANN, show_deleted=False) == []
    assert api.control.requests()["countsByOperation"] == {"calendar.events.delete": 1}


def test_control_errors_raise(api: Api) -> None:
    """ControlClient raises ControlError on a 4xx answer."""
    with pytest.raises(ControlError, match="404"):
        api.control.set_vacation("ghost@example.com", {})


def test_emulator_server_serves_http() -> None:
    """EmulatorServer listens on a free port and stops cleanly."""
    with EmulatorServer() as server:
        control = ControlClient(server.url)
        assert "time" in control.clock()
        control.close()
        url = server.url
    try:
        httpx.get(f"{url}/emulator/v1/clock", timeout=1)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("server still answering after stop()")


def test_serve_runs_until_ctrl_c() -> None:
    """serve() answers over HTTP and exits cleanly on SIGINT."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", f"from emulator.server import serve; serve('127.0.0.1', {port})"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/emulator/v1/clock", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        assert wait_until(answers, timeout=20)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "stopping the emulator" in out
