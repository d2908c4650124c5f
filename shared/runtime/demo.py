"""``hybrid-calendar demo``: the whole service on one laptop, narrated.

It starts the project's Google emulator and the local runtime on the embedded default
(SQLite, in-process bus, local key) in a fresh data directory, checks that both answer, and
keeps serving until Ctrl-C (``--once`` exits after the narration).
"""

from __future__ import annotations

import importlib
import secrets
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
from rich.console import Console
from rich.panel import Panel

from shared import config
from shared.bootstrap import build
from shared.runtime.server import LocalRuntime, RuntimeServer


def _start_emulator(host: str, port: int) -> tuple[str, Callable[[], None]] | None:
    try:
        module = importlib.import_module("emulator.server")
    except ImportError:
        return None
    server = module.EmulatorServer(host=host, port=port)
    server.start()
    return str(server.url), server.stop


def run(*, port: int, emulator_port: int, once: bool, console: Console) -> int:
    """Run the demo; return the process exit code."""
    data_dir = Path(tempfile.mkdtemp(prefix="hybrid-calendar-demo-"))
    console.print(Panel.fit("Hybrid Calendar demo: the whole service on the embedded default", style="bold cyan"))
    emulator = _start_emulator("127.0.0.1", emulator_port)
    if emulator is None:
        console.print("[yellow]The Google emulator is not available in this build; running without it.[/]")
    else:
        console.print(f"[green]Google emulator[/] at {emulator[0]}")
    settings = config.Settings(
        data_dir=data_dir,
        port=port,
        google_base_url=emulator[0] if emulator else None,
        public_url=f"http://127.0.0.1:{port}",
        admin_token=secrets.token_urlsafe(24),
    )
    runtime = LocalRuntime(build(settings))
    server = RuntimeServer(runtime, "127.0.0.1", port).start()
    try:
        health = httpx.get(f"{server.url}/healthz", timeout=10).json()
        console.print(f"[green]Local runtime[/] at {server.url}  (version {health['version']})")
        for port_name, backend in health["backends"].items():
            console.print(f"  {port_name:7} → {backend}")
        console.print(f"  data     → {data_dir}")
        console.print(f"Web page: {server.url}/app    Admin API: {server.url}/admin/v1")
        if once:
            return 0
        console.print("Serving until Ctrl-C.")
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        server.stop()
        if emulator is not None:
            emulator[1]()
    return 0
