"""Starting the servers: the landing page and favicon, one emulator banner, clear port-in-use and settings errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from shared.bootstrap import build
from shared.cli import app
from shared.config import Settings
from shared.runtime.demo import run as run_demo
from shared.runtime.server import LocalRuntime, RuntimeServer
from tests.support.gcp_emulators import free_port, free_port_pair


@pytest.fixture
def server(settings: Settings) -> Iterator[RuntimeServer]:
    """The local runtime on a free port."""
    srv = RuntimeServer(LocalRuntime(build(settings), scheduler=False)).start()
    yield srv
    srv.stop()


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process is listening on (its next port free, for servers that also listen on port + 1)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", free_port_pair()))
    sock.listen()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_the_landing_page_links_the_app_the_display_and_the_api_documents(server: RuntimeServer) -> None:
    """GET / is a small HTML page linking /app, /device and both OpenAPI documents; the favicon is served."""
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for link in ('href="/app"', 'href="/device"', 'href="/v1/openapi.json"', 'href="/admin/v1/openapi.json"'):
        assert link in page.text, link
    assert 'rel="icon"' in page.text
    icon = httpx.get(f"{server.url}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00" and b"\x89PNG" in icon.content
    svg = httpx.get(f"{server.url}/favicon.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    posted = httpx.post(f"{server.url}/")
    assert posted.status_code == 404 and posted.json()["error"]["code"] == "not_found"


def test_every_bad_setting_is_reported_by_the_cli_at_once(tmp_path: Path) -> None:
    """`serve` with two bad variables exits 2 naming both, one `error:` line each, without a traceback."""
    env = {"HYBRIDCAL_PORT": "eighty", "HYBRIDCAL_BACKEND": "oracle", "HYBRIDCAL_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split()[1] for e in errors] == ["HYBRIDCAL_BACKEND", "HYBRIDCAL_PORT"]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["emulator", "--port", "{port}"], "the Google emulator"),
        (["serve", "--port", "{port}"], "the service"),
        (["dev", "--emulator-port", "{port}", "--port", "{free}"], "the Google emulator"),
        (["dev", "--port", "{port}", "--emulator-port", "{free}"], "the service"),
        (["demo", "--port", "{free}", "--emulator-port", "{port}", "--once"], "the Google emulator"),
    ],
)
def test_a_port_in_use_is_one_clear_error(tmp_path: Path, taken_port: int, args: list[str], what: str) -> None:
    """A taken port exits 1 naming the server and address, prints no banner, and leaves nothing behind."""
    argv = [a.format(port=taken_port, free=free_port_pair()) for a in args]
    result = CliRunner().invoke(app, argv, env={"HYBRIDCAL_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert f"error: {what} cannot listen on 127.0.0.1:{taken_port}: the port is already in use" in result.stderr
    assert "emulator on http" not in result.stdout and "serving on" not in result.stdout
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("hybrid-calendar-demo-*"))


def test_the_emulator_prints_its_banner_once(tmp_path: Path) -> None:
    """`hybrid-calendar emulator` prints one banner line once it listens, and stops cleanly on SIGTERM."""
    port = free_port_pair()
    with subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "emulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # blocks until the emulator listens and says so
            assert f"Google Workspace emulator on http://127.0.0.1:{port}" in first
            assert httpx.get(f"http://127.0.0.1:{port}/emulator/v1/clock", timeout=5).status_code == 200
            proc.send_signal(signal.SIGTERM)
            rest, errors = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0 and "emulator on http" not in rest and "Traceback" not in errors


@pytest.mark.parametrize("keep", [False, True])
def test_the_demo_folder_goes_unless_kept_and_says_where_it_is(tmp_path: Path, taken_port: int, keep: bool) -> None:
    """The demo works in a folder under the base it is given; on exit it is removed (or kept) and named."""
    console = Console(record=True, width=200)
    with pytest.raises(Exception, match="cannot listen"):
        run_demo(port=free_port(), emulator_port=taken_port, once=True, console=console, base=tmp_path, keep=keep)
    folders = list(tmp_path.glob("hybrid-calendar-demo-*"))
    said = console.export_text()
    if keep:
        assert len(folders) == 1 and f"The demo's data stays in {folders[0]}" in said
    else:
        assert folders == [] and f"Removed the demo's data directory {tmp_path}" in said
