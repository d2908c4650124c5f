"""A function in its own functions-framework process writes JSON lines: severity, context, redaction, the level."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.ports.messages import ProvisionUser
from shared.runtime.server import main_source
from tests.support.gcp_emulators import free_port
from tests.support.wait import wait_until

TOKEN = "logging-admin-token"


@contextlib.contextmanager
def _serve(tmp_path: Path, level: str) -> Iterator[tuple[str, Path]]:
    port = free_port()
    stderr = tmp_path / f"stderr-{level}.log"
    env = {
        **os.environ,
        "HYBRIDCAL_DATA_DIR": str(tmp_path / f"data-{level}"),
        "HYBRIDCAL_ADMIN_TOKEN": TOKEN,
        "HYBRIDCAL_LOG_LEVEL": level,
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket, not shared with other servers here
    }
    functions_framework = Path(sys.executable).with_name("functions-framework")
    command = [str(functions_framework), "--source", main_source(), "--target", "provision_user"]
    with stderr.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code > 0
        except httpx.HTTPError:
            return process.poll() is not None

    try:
        assert wait_until(answers, timeout=60), "the function process did not start"
        assert process.poll() is None, stderr.read_text()
        yield url, stderr
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def _push(url: str) -> httpx.Response:
    data = ProvisionUser(org_id="no-org", principal_id="p1", action="activate").encode()
    body = {
        "message": {"data": base64.b64encode(data).decode(), "messageId": "for alice@example.com", "attributes": {}},
        "subscription": "projects/p/subscriptions/user-provisioning-provision-user",
        "deliveryAttempt": 2,
    }
    return httpx.post(url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


def _json_lines(stderr: Path) -> list[dict[str, Any]]:
    lines = [line for line in stderr.read_text().splitlines() if line.strip()]
    assert lines, "the function wrote nothing to stderr"
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a line on stderr is not JSON: {line!r}")
    return parsed


def test_a_function_process_logs_json_with_context_and_redaction(tmp_path: Path) -> None:
    """At INFO the process logs the handled message as JSON with severity and context; the email is redacted."""
    with _serve(tmp_path, "INFO") as (url, stderr):
        assert _push(url).status_code == 200
    lines = _json_lines(stderr)
    handled = [line for line in lines if line["message"] == "message handled"]
    assert len(handled) == 1
    assert handled[0]["severity"] == "INFO"
    assert (handled[0]["function"], handled[0]["topic"], handled[0]["delivery_attempt"]) == (
        "provision_user",
        "user-provisioning",
        2,
    )
    assert handled[0]["message_id"] == "for [email]"
    acknowledged = [line for line in lines if line["message"] == "message acknowledged without effect"]
    assert acknowledged and acknowledged[0]["severity"] == "WARNING" and acknowledged[0]["error_code"] == "not_found"
    assert "alice@example.com" not in stderr.read_text()


def test_the_log_level_setting_applies_in_a_function_process(tmp_path: Path) -> None:
    """HYBRIDCAL_LOG_LEVEL=WARNING keeps the INFO line out and the WARNING line in."""
    with _serve(tmp_path, "WARNING") as (url, stderr):
        assert _push(url).status_code == 200
    messages = [line["message"] for line in _json_lines(stderr)]
    assert "message acknowledged without effect" in messages
    assert "message handled" not in messages
