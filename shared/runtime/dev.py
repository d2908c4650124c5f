"""``hybrid-calendar dev``: the Google emulator and the local runtime wired together, to drive by hand.

It starts the emulator (an ``example.com`` Workspace with three people and a room) and
``serve`` pointed at it (Google base URL, public URL for pushes, an admin token), mints a
service-account key with domain-wide delegation into the data directory, and writes
``dev.env`` there: the settings that point the CLI (or a separate ``serve``) at this service.
Nothing is seeded in the service unless ``sample`` asks for an org with its people, a room and a
device. The emulator lives in memory: on a restart with the same data directory a new key is
minted, the existing ``example.com`` org gets it, and its principals are revalidated (a fresh
initial sync and watch channel at the new emulator).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from shared import config, logs
from shared.bootstrap import build
from shared.cli_output import plain_lines
from shared.clock import AcceleratedClock, SystemClock
from shared.ports.clock import Clock
from shared.runtime.demo_world import DOMAIN, PEOPLE, ROOM, DemoWorld
from shared.runtime.listen import bind, stop_on_sigterm, wait_until_stopped
from shared.runtime.server import LocalRuntime, RuntimeServer

KEY_FILE, ENV_FILE = "service-account.json", "dev.env"
HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class DevEnvironment:
    """Where the dev environment runs and what it wrote."""

    service_url: str
    emulator_url: str
    data_dir: Path
    key_file: Path
    env_file: Path
    admin_token: str


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def read_env(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of an env file (comments and blank lines skipped)."""
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


def env_text(env: DevEnvironment) -> str:
    """The ``.env``-style summary: load it with ``set -a; . dev.env; set +a``."""
    return "\n".join(
        [
            "# Hybrid Calendar dev environment (written by `hybrid-calendar dev`; valid while it runs).",
            f"# Load it in another shell:  set -a; . {env.env_file}; set +a",
            f"# Data directory: {env.data_dir}",
            f"HYBRIDCAL_PUBLIC_URL={env.service_url}",
            f"HYBRIDCAL_ADMIN_TOKEN={env.admin_token}",
            f"HYBRIDCAL_GOOGLE_BASE_URL={env.emulator_url}",
            f"DEV_EMULATOR_URL={env.emulator_url}",
            f"DEV_KEY_FILE={env.key_file}",
            f"DEV_DOMAIN={DOMAIN}",
            "",
        ]
    )


def _rekey(world: DemoWorld) -> list[str]:
    """Give an existing org of the dev domain the new key and revalidate its principals; return their emails."""
    orgs = world.admin.get("/orgs").json().get("orgs", [])
    revalidated: list[str] = []
    for org in orgs:
        if org["domain"] != DOMAIN or org["credential"]["kind"] != "stored":
            continue
        world.admin.patch(f"/orgs/{org['id']}", json={"service_account_key": world.key}).raise_for_status()
        for p in world.admin.get(f"/orgs/{org['id']}/principals").json().get("principals", []):
            if p["state"] in ("active", "error"):
                world.admin.post(f"/orgs/{org['id']}/principals/{p['email']}:revalidate")
                revalidated.append(p["email"])
    return revalidated


def _sample(world: DemoWorld, console: Console) -> dict[str, Any] | None:
    """Create the sample org with its people and a room with one device; None if it exists."""
    if any(o["domain"] == DOMAIN for o in world.admin.get("/orgs").json().get("orgs", [])):
        console.print("The sample org exists already; nothing seeded.")
        return None
    org = world.create_org()["id"]
    for person in PEOPLE:
        view = world.activate(org, person["email"])
        console.print(f"  {person['email']}: {view['state']}", highlight=False)
    room = world.activate(org, ROOM["email"], kind="room", devices=["Lobby display"])
    console.print(f"  {ROOM['email']}: {room['state']}", highlight=False)
    return {"org": org, "device": room["devices"][0]}


def _instructions(env: DevEnvironment, sample: dict[str, Any] | None, console: Console) -> None:
    url, org, room = env.service_url, DOMAIN.replace(".", "-"), ROOM["email"]
    console.rule("Hybrid Calendar dev environment")
    plain_lines(
        [
            f"Service:   {url}  (landing page; /app, /device, /v1/openapi.json)",
            f"Emulator:  {env.emulator_url}  ({DOMAIN}: {', '.join(p['email'] for p in PEOPLE)}; room {room})",
            f"Key file:  {env.key_file}",
            f"Settings:  {env.env_file}",
            "",
            "In another shell, point the CLI at this service:",
            f"  set -a; . {env.env_file}; set +a",
        ]
    )
    if sample is None:
        plain_lines(
            [
                "Register the org and its people:",
                f"  hybrid-calendar orgs create --domain {DOMAIN} --key-file {env.key_file} "
                f"--room-delegate {PEOPLE[0]['email']}",
                f"  hybrid-calendar users activate {org} {PEOPLE[0]['email']}",
                f"  hybrid-calendar rooms activate {org} {room} --device 'Lobby display'   # prints a device token",
            ]
        )
    plain_lines(
        [
            "An ID token for the app API (as any user of the emulator):",
            f"  curl -s -X POST {url}/app/dev/sign-in -H 'Content-Type: application/json' "
            f'-d \'{{"email": "{PEOPLE[0]["email"]}"}}\'',
            f'  curl -s -H "Authorization: Bearer $ID_TOKEN" {url}/v1/me/meetings',
            "A device token comes once from `rooms activate ... --device NAME` or `rooms devices add ORG ROOM NAME`:",
            f'  curl -s -H "Authorization: Device $DEVICE_TOKEN" {url}/v1/devices/$DEVICE_ID/meetings',
            f"  open {url}/device?token=$DEVICE_TOKEN",
        ]
    )
    if sample is not None:
        device = sample["device"]
        plain_lines(
            [
                f"Sample org {sample['org']}: people and room active; the room's device (token shown once):",
                f"  DEVICE_ID={device['id']}",
                f"  DEVICE_TOKEN={device['token']}",
            ]
        )
    console.print("Ready. Ctrl-C stops the service and the emulator; the data directory stays.")


def run(*, data_dir: Path, port: int, emulator_port: int, sample: bool, at: datetime | None, console: Console) -> int:
    """Run the dev environment until Ctrl-C (or SIGTERM); return the exit code."""
    from emulator.client import ControlClient
    from emulator.server import EmulatorServer

    settings = config.load()
    logs.configure(settings.log_level)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    env_file = data_dir / ENV_FILE
    token = settings.admin_token or read_env(env_file).get("HYBRIDCAL_ADMIN_TOKEN") or secrets.token_urlsafe(24)
    emulator = bind("the Google emulator", HOST, emulator_port, lambda: EmulatorServer(host=HOST, port=emulator_port))
    runtime: LocalRuntime | None = None
    try:
        clock: Clock = SystemClock()
        if at is not None:
            with ControlClient(base_url=emulator.url) as control:
                control.set_clock(time=at.isoformat().replace("+00:00", "Z"))
            clock = AcceleratedClock(at, factor=1.0)
        service_url = f"http://{HOST}:{port}"
        wired = settings.with_overrides(
            data_dir=data_dir, host=HOST, port=port, google_base_url=emulator.url, public_url=service_url,
            admin_token=token,
        )  # fmt: skip
        local = runtime = LocalRuntime(build(wired, clock=clock))
        server = bind("the service", HOST, port, lambda: RuntimeServer(local, HOST, port)).start()
        runtime = None  # the server owns it now
        stop_on_sigterm()
        env = DevEnvironment(server.url, emulator.url, data_dir, data_dir / KEY_FILE, env_file, token)
        world = DemoWorld(emulator.url, server.url, token)
        try:
            world.seed_domain()
            write_private(env.key_file, json.dumps(world.key, indent=2))
            revalidated = _rekey(world)
            if revalidated:
                console.print(f"The {DOMAIN} org got the new key; revalidating {len(revalidated)} principals.")
            seeded = _sample(world, console) if sample else None
            write_private(env_file, env_text(env))
            _instructions(env, seeded, console)
            wait_until_stopped()
        except KeyboardInterrupt:
            console.print("Stopping.")
        finally:
            world.close()
            server.stop()
    finally:
        if runtime is not None:
            runtime.close()
        emulator.stop()
    console.print(Text(f"Stopped; the data directory {data_dir} stays (remove it to start afresh)."), soft_wrap=True)
    return 0
