"""`hybrid-calendar emulator` serves Cloud KMS and Secret Manager over gRPC: the gcp backend needs nothing else."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import functions_framework
import httpx
import pytest

from shared.adapters.crypto.kms import CloudKmsKek
from shared.bootstrap import build, set_app
from shared.config import Settings
from shared.runtime.server import main_source
from tests.cloud.harness import gcp_clients
from tests.support.gcp_emulators import EmulatorProcess, free_port, free_port_pair
from tests.support.wait import wait_until

KEY = "projects/cli-test/locations/global/keyRings/r/cryptoKeys/k"


@contextlib.contextmanager
def _emulator(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log = tmp_path / "emulator.log"
    command = [str(Path(sys.executable).with_name("hybrid-calendar")), "emulator", "--host", "127.0.0.1", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        yield process, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def _up(url: str, process: subprocess.Popen[bytes]) -> bool:
    try:
        return httpx.get(f"{url}/emulator/v1/clock", timeout=2).status_code == 200
    except httpx.HTTPError:
        return process.poll() is not None


def _grpc_ready(endpoint: str) -> None:
    """Wait until the gRPC port accepts a channel (a loaded machine may take a moment after the banner)."""
    import grpc

    with grpc.insecure_channel(endpoint) as channel:
        grpc.channel_ready_future(channel).result(timeout=60)


def test_kms_and_secret_manager_answer_on_the_kms_port(tmp_path: Path) -> None:
    """With --kms-port the real google-cloud-kms and secret-manager clients talk to the CLI emulator."""
    port, grpc_port = free_port(), free_port()
    with _emulator(tmp_path, "--port", str(port), "--kms-port", str(grpc_port)) as (process, log):
        assert wait_until(lambda: _up(f"http://127.0.0.1:{port}", process), timeout=60), log.read_text()
        assert process.poll() is None, log.read_text()
        endpoint = f"127.0.0.1:{grpc_port}"
        _grpc_ready(endpoint)
        kek = CloudKmsKek(KEY, endpoint=endpoint)
        wrapped = kek.wrap(b"k" * 32, b"aad")
        assert kek.unwrap(wrapped, b"aad") == b"k" * 32
        version = gcp_clients.put_secret(endpoint, "cli-test", "delegation-key", b"{}")
        assert gcp_clients.access_secret(endpoint, version) == b"{}"
        assert f"on {endpoint}" in log.read_text()


def test_the_kms_port_defaults_to_the_next_port(tmp_path: Path) -> None:
    """Without --kms-port, gRPC listens on --port + 1, as the banner says."""
    port = free_port_pair()
    with _emulator(tmp_path, "--port", str(port)) as (process, log):
        assert wait_until(lambda: _up(f"http://127.0.0.1:{port}", process), timeout=60), log.read_text()
        assert f"on 127.0.0.1:{port + 1}" in log.read_text()
        _grpc_ready(f"127.0.0.1:{port + 1}")
        kek = CloudKmsKek(KEY, endpoint=f"127.0.0.1:{port + 1}")
        assert kek.unwrap(kek.wrap(b"x" * 32, b""), b"") == b"x" * 32


def test_a_taken_kms_port_is_a_clear_error(tmp_path: Path) -> None:
    """When the gRPC port is in use the command says so and exits 1, without a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with _emulator(tmp_path, "--port", str(free_port()), "--kms-port", str(busy)) as (process, log):
            assert process.wait(timeout=60) == 1
            output = log.read_text()
    assert f"127.0.0.1:{busy}" in output and "Traceback" not in output


def test_the_gcp_backend_creates_an_org_against_the_cli_emulator(
    tmp_path: Path, firestore_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """admin_api on the gcp backend (Firestore emulator, KMS from the CLI emulator) answers 201, not 503."""
    port, grpc_port = free_port(), free_port()
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host_port)
    with _emulator(tmp_path, "--port", str(port), "--kms-port", str(grpc_port)) as (process, log):
        assert wait_until(lambda: _up(f"http://127.0.0.1:{port}", process), timeout=60), log.read_text()
        _grpc_ready(f"127.0.0.1:{grpc_port}")
        settings = Settings(
            backend="gcp",
            gcp_project="cli-test",
            kms_key=KEY,
            kms_endpoint=f"127.0.0.1:{grpc_port}",
            google_base_url=f"http://127.0.0.1:{port}",
            admin_token="cli-admin",
        )
        gcp_clients.reset_firestore(firestore_emulator.host_port, "cli-test")
        app = build(settings)
        set_app(app)
        try:
            client = functions_framework.create_app(target="admin_api", source=main_source()).test_client()
            key = httpx.post(
                f"http://127.0.0.1:{port}/emulator/v1/domains", json={"domain": "cli.example.com", "users": []}
            )
            assert key.status_code == 200
            sa = httpx.post(
                f"http://127.0.0.1:{port}/emulator/v1/domains/cli.example.com/service-accounts", json={"scopes": []}
            ).json()
            body = {"domain": "cli.example.com", "service_account_key": sa}
            answer = client.post("/admin/v1/orgs", json=body, headers={"Authorization": "Bearer cli-admin"})
            assert answer.status_code == 201, answer.get_json()
            assert app.kek.wrap_calls >= 1  # type: ignore[attr-defined]
        finally:
            set_app(None)
            app.close()
