"""The README's operator path, run as written by a new operator: `dev`, then the CLI in a second shell.

A fresh home directory and no ``HYBRIDCAL_*`` variables: `hybrid-calendar dev` (on free ports, both
clocks at T0) writes the key file and `dev.env`; every following line of the README's block runs in
bash after loading `dev.env`. Between steps the test waits for the service to finish what it queued
(no principal pending, validating or waiting to be deactivated), then checks what each step printed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shared.runtime.dev import read_env
from tests.support.gcp_emulators import free_port
from tests.support.instant import T0, z
from tests.support.wait import wait_until

README = Path(__file__).resolve().parents[2] / "README.md"
BIN = Path(sys.executable).parent
SCOPES = "https://www.googleapis.com/auth/calendar,https://www.googleapis.com/auth/gmail.settings.basic"


def _block(after: str) -> list[str]:
    """The lines of the first ```bash block after the sentence ``after`` in the README."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```bash\n", text.index(after)) + len("```bash\n")
    return [line for line in text[start : text.index("```", start)].splitlines() if line.strip()]


@dataclass
class Operator:
    """A second shell next to the running `dev`: runs README lines after loading dev.env."""

    home: Path
    work: Path
    env: dict[str, str]
    load: str

    def settings(self) -> dict[str, str]:
        """What dev.env says."""
        return read_env(self.home / ".local/share/hybrid-calendar/dev/dev.env")

    def run(self, line: str) -> subprocess.CompletedProcess[str]:
        """Run one README line in bash, with dev.env loaded as the README says."""
        return subprocess.run(
            ["bash", "-c", f"{self.load}\n{line}"],
            cwd=self.work,
            env={**self.env, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def principals(self) -> list[dict[str, object]]:
        """The org's principals, through the admin API."""
        settings = self.settings()
        headers = {"Authorization": f"Bearer {settings['HYBRIDCAL_ADMIN_TOKEN']}"}
        url = f"{settings['HYBRIDCAL_PUBLIC_URL']}/admin/v1/orgs/example-com/principals"
        return list(httpx.get(url, headers=headers, timeout=10).json().get("principals", []))

    def settled(self) -> bool:
        """Nothing queued is still to be done: no validation, no deactivation waiting."""
        return all(
            p["state"] in ("active", "error", "deactivated")
            and (p["state"] == "deactivated" or not p["deactivated_by"])
            for p in self.principals()
        )


@contextmanager
def running_dev(tmp_path: Path, env: dict[str, str], *args: str, name: str = "dev") -> Iterator[str]:
    """Run `hybrid-calendar dev ARGS` until the block ends (then Ctrl-C); yield what it printed once ready."""
    out_path, err_path = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
    with (
        out_path.open("w") as out,
        err_path.open("w") as err,
        subprocess.Popen(["hybrid-calendar", "dev", *args], cwd=tmp_path, env=env, stdout=out, stderr=err) as dev,
    ):
        try:
            ready = wait_until(lambda: "Ready." in out_path.read_text() or dev.poll() is not None, timeout=90)
            assert ready and dev.poll() is None, out_path.read_text() + err_path.read_text()
            yield out_path.read_text()
            dev.send_signal(signal.SIGINT)
            assert dev.wait(timeout=60) == 0
        finally:
            if dev.poll() is None:
                dev.kill()
    assert "Stopped; the data directory" in out_path.read_text()
    assert "Traceback" not in err_path.read_text()


def _fresh(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A new operator's home and working directory, and an environment without any HYBRIDCAL_ setting."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRIDCAL_")}
    env.update(HOME=str(home), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONUNBUFFERED="1")
    return home, work, env


@pytest.fixture
def operator(tmp_path: Path) -> Iterator[Operator]:
    """`hybrid-calendar dev` running for a new operator (fresh HOME, no settings), and their second shell."""
    home, work, env = _fresh(tmp_path)
    steps = _block("The operator's path, step by step")
    assert steps[0].split("#")[0].split() == ["hybrid-calendar", "dev"]
    ports = ("--port", str(free_port()), "--emulator-port", str(free_port()))
    with running_dev(tmp_path, env, *ports, "--at", z(T0)):
        yield Operator(home, work, env, steps[1].split("#")[0].strip())


def test_the_readme_operator_path_from_a_fresh_start(operator: Operator) -> None:
    """Create an org, activate a user and a room, show, import, deactivate and run a job, as the README says."""
    settings = operator.settings()
    key_file = Path(settings["DEV_KEY_FILE"])
    assert key_file.stat().st_mode & 0o777 == 0o600 and json.loads(key_file.read_text())["type"] == "service_account"
    device: list[str] = []
    for line in _block("The operator's path, step by step")[2:]:
        if line.startswith(("hybrid-calendar users show", "hybrid-calendar rooms show", "hybrid-calendar users deac")):
            assert wait_until(operator.settled, timeout=60), operator.principals()
        done = operator.run(line)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        said = done.stdout
        if "orgs create" in line:
            assert f"  scopes: {SCOPES}" in said and "  client id: " in said
        elif "users activate" in line:
            assert "alice@example.com: pending" in said
        elif "rooms activate" in line:
            device = next(x for x in said.splitlines() if x.startswith("  Lobby display ")).split()[-2:]
        elif "users show example-com alice" in line:
            assert " active " in said and "channel_expiry" in said and "error" not in said
        elif "rooms show" in line:
            assert device[0] in said and device[1] not in said
        elif "users import" in line:
            assert "Imported 2 of 2 rows; 0 failed." in said
        elif "users deactivate" in line:
            assert "bob@example.com: deactivation queued" in said
        elif "users show example-com bob" in line:
            assert " deactivated " in said and "Deactivated at" in said and "by admin" in said
        elif "jobs run" in line:
            assert "maintain_channels: done" in said and "renewed" in said
    states = {str(p["email"]): p["state"] for p in operator.principals()}
    assert states == {
        "alice@example.com": "active",
        "boardroom@resource.calendar.google.com": "active",
        "bob@example.com": "deactivated",
        "carol@example.com": "active",
    }
    url = settings["HYBRIDCAL_PUBLIC_URL"]
    meetings = httpx.get(f"{url}/v1/devices/{device[0]}/meetings", headers={"Authorization": f"Device {device[1]}"})
    assert meetings.status_code == 200 and meetings.json()["meetings"] == []
    assert 'href="/app"' in httpx.get(f"{url}/").text


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's token recipe uses curl")
def test_the_readme_id_token_recipe(operator: Operator) -> None:
    """The README's ID-token lines sign Alice in through the emulator and read her meetings with the token."""
    steps = _block("The operator's path, step by step")
    for line in steps[2:4]:  # the org and Alice, as the README starts
        assert operator.run(line).returncode == 0
    assert wait_until(operator.settled, timeout=60)
    recipe = "\n".join(_block("An ID token for the app API"))
    done = operator.run(recipe)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["meetings"] == [] and answer["time_zone"] == "Europe/Berlin"
    now = datetime.fromisoformat(answer["now"].replace("Z", "+00:00"))
    assert timedelta(0) <= now - T0 < timedelta(minutes=5)  # the service's clock started at T0


def test_dev_sample_and_restart(tmp_path: Path) -> None:
    """`dev --sample` seeds an active org with a working device token; a restart rekeys it and revalidates everyone."""
    home, _, env = _fresh(tmp_path)
    ports = ("--port", str(free_port()), "--emulator-port", str(free_port()), "--at", z(T0))
    with running_dev(tmp_path, env, *ports, "--sample") as said:
        settings = read_env(home / ".local/share/hybrid-calendar/dev/dev.env")
        url, token = settings["HYBRIDCAL_PUBLIC_URL"], settings["HYBRIDCAL_ADMIN_TOKEN"]
        lines = dict(x.strip().split("=", 1) for x in said.splitlines() if x.strip().startswith("DEVICE_"))
        headers = {"Authorization": f"Device {lines['DEVICE_TOKEN']}"}
        assert httpx.get(f"{url}/v1/devices/{lines['DEVICE_ID']}/meetings", headers=headers).status_code == 200
        first_key = json.loads(Path(settings["DEV_KEY_FILE"]).read_text())["client_id"]
    with running_dev(tmp_path, env, *ports, name="again") as said:
        assert "The example.com org got the new key; revalidating 4 principals." in said
        admin = {"Authorization": f"Bearer {token}"}
        assert read_env(home / ".local/share/hybrid-calendar/dev/dev.env")["HYBRIDCAL_ADMIN_TOKEN"] == token

        def all_active() -> bool:
            listed = httpx.get(f"{url}/admin/v1/orgs/example-com/principals", headers=admin).json()["principals"]
            return len(listed) == 4 and all(p["state"] == "active" for p in listed)

        assert wait_until(all_active, timeout=60)
        org = httpx.get(f"{url}/admin/v1/orgs/example-com", headers=admin).json()
        assert org["credential"]["client_id"] != first_key
        assert json.loads(Path(settings["DEV_KEY_FILE"]).read_text())["client_id"] == org["credential"]["client_id"]
