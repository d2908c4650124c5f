"""``hybrid-calendar demo``: the whole service on one laptop, narrated, through the real flow.

It starts the project's Google emulator and the local runtime on the embedded default (SQLite,
in-process bus, local key) in a fresh data directory (under ``HYBRIDCAL_DATA_DIR`` when it is
set, else the temp directory; removed on exit unless kept), over real HTTP both ways, seeds an org with
people, a room with a device and some events, and narrates: a keyword turns into join details,
meeting lists, out-of-office presence, a join button at the lead time on an accelerated clock,
and the keyword's removal. Then it keeps serving until Ctrl-C (``--once`` exits 0 instead).
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from shared import config, logs
from shared.bootstrap import build
from shared.clock import AcceleratedClock, SystemClock
from shared.domain.joinblock import BLOCK_BEGIN
from shared.runtime.demo_world import PEOPLE, ROOM, DemoWorld, wait_for
from shared.runtime.listen import bind, stop_on_sigterm, wait_until_stopped
from shared.runtime.server import LocalRuntime, RuntimeServer

if TYPE_CHECKING:
    from emulator.server import EmulatorServer

ALICE, BOB = PEOPLE[0]["email"], PEOPLE[1]["email"]


def _meetings_table(title: str, meetings: list[dict[str, Any]]) -> Table:
    table = Table("start (UTC)", "title", "organiser", "join", title=title)
    for m in meetings:
        target = m.get("join_target") or {}
        table.add_row(
            str(m.get("start", ""))[:16].replace("T", " "),
            Text(m.get("title", "")),
            Text(m.get("organizer") or ""),
            Text((target.get("uri") or "")[:48]),
        )
    return table


def _with_block(world: DemoWorld, event_id: str, *, present: bool) -> dict[str, Any] | None:
    event = world.event(ALICE, event_id)
    return event if (BLOCK_BEGIN in event.get("description", "")) is present else None


def _away(world: DemoWorld, token: str) -> dict[str, Any] | None:
    presence: dict[str, Any] = world.app(token, "GET", f"/v1/people/{ALICE}/presence")
    return presence if presence.get("status") == "out_of_office" else None


def _first_sse_event(url: str, token: str, name: str, found: list[dict[str, Any]], ready: threading.Event) -> None:
    """Read the stream until its first ``name`` event, reconnecting when a connection ends without one.

    A stream lives a bounded time and a loaded machine may outlast it; a reconnection without a cursor
    replays the live notices, so nothing sent meanwhile is missed. Gives up after two minutes, on an open
    connection too.
    """
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as response:
                ready.set()
                event = ""
                for line in response.iter_lines():  # a heartbeat comes at least every 15 s
                    if time.monotonic() >= deadline:
                        return  # the caller reconnects: a new connection replays the live notices
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == name:
                        found.append(json.loads(line[6:]))
                        return
        except httpx.HTTPError:
            ready.set()
            time.sleep(0.2)  # a refused connection: try again shortly


def narrate(world: DemoWorld, runtime: LocalRuntime, clock: AcceleratedClock, console: Console) -> dict[str, Any]:
    """Seed the world and walk through the five steps; return what each step observed."""
    console.rule("Seeding")
    world.seed_domain()
    org = world.create_org()["id"]
    for person in PEOPLE[:2]:
        view = world.activate(org, person["email"])
        console.print(f"  activated {person['email']}: {view['state']}, {view['meeting_count']} meetings synced")
    room = world.activate(org, ROOM["email"], kind="room", devices=["Boardroom display"])
    device_id, device_token = room["devices"][0]["id"], room["devices"][0]["token"]
    console.print(f"  activated {ROOM['email']} with a device: {room['state']}")
    now = clock.now()
    start = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    world.create_event(
        BOB,
        "Team stand-up",
        start - timedelta(hours=1),
        15,
        attendees=[ALICE, ROOM["email"]],
        recurrence=["RRULE:FREQ=DAILY;COUNT=10"],
    )

    console.rule("1. A meeting with @webex gets its join details")
    event = world.create_event(
        ALICE,
        "Quarterly planning",
        start,
        60,
        attendees=[BOB, ROOM["email"]],
        location="Boardroom @webex",
        description="Agenda:\n1. Budget\n2. Hiring",
    )
    patched = wait_for("the join details", lambda: _with_block(world, event["id"], present=True))
    console.print(Panel(Text(patched["description"]), title="Alice's invitation after the service patched it"))

    console.rule("2. Meeting lists")
    alice_token = world.sign_in(ALICE)
    window = {"from": now.isoformat(), "to": (now + timedelta(days=2)).isoformat()}
    mine = wait_for(
        "Alice's meetings", lambda: world.app(alice_token, "GET", "/v1/me/meetings", params=window)["meetings"]
    )
    console.print(_meetings_table("Alice (app API)", mine))
    rooms = world.app(device_token, "GET", f"/v1/devices/{device_id}/meetings", device=True, params=window)["meetings"]
    console.print(_meetings_table("Boardroom (device API)", rooms))

    console.rule("3. A vacation responder turns presence out-of-office")
    since_ms = int((clock.now() - timedelta(hours=1)).timestamp() * 1000)
    world.google(
        ALICE,
        "PUT",
        "/gmail/v1/users/me/settings/vacation",
        json={"enableAutoReply": True, "responseSubject": "Out until Monday", "startTime": str(since_ms)},
    )
    runtime.run_job("poll_vacations")
    bob_token = world.sign_in(BOB)
    presence = wait_for("Alice's presence", lambda: _away(world, bob_token))
    console.print(f"  Bob sees Alice as [bold]{presence['status']}[/]: {escape(presence.get('message', ''))}")

    console.rule("4. The join button at the lead time (accelerated clock)")
    found: list[dict[str, Any]] = []
    ready = threading.Event()

    def reading() -> threading.Thread:
        url = f"{world.service_url}/v1/me/stream"
        thread = threading.Thread(target=_first_sse_event, args=(url, bob_token, "join_button", found, ready))
        thread.daemon = True
        thread.start()
        return thread

    readers = [reading()]
    ready.wait(60)
    jump = start - timedelta(minutes=5) - clock.now() + timedelta(seconds=5)
    clock.advance(jump)
    world.advance(jump)
    console.print(f"  the clock jumps {jump} ahead, to 5 minutes before the meeting")

    def join_button() -> dict[str, Any] | None:
        # A dispatch run sends each button once; running it again until the stream shows it covers an
        # attendee's copy whose sync lands after the first run on a loaded machine.
        runtime.run_job("dispatch_join_buttons")
        readers[-1].join(2)
        if not found and not readers[-1].is_alive():  # it gave up: a new connection replays the live notices
            readers.append(reading())
        return found[0] if found else None

    notice = wait_for("Bob's join button", join_button, timeout=240)
    console.print(
        f"  Bob's app got a join button: {notice.get('title', '?')}"
        f" → {(notice.get('join_target') or {}).get('uri', '?')}"
    )

    console.rule("5. The keyword is removed and the block disappears")
    world.google(ALICE, "PATCH", f"/calendar/v3/calendars/{ALICE}/events/{event['id']}", json={"location": "Boardroom"})
    cleaned = wait_for("the block's removal", lambda: _with_block(world, event["id"], present=False))
    console.print(Panel(Text(cleaned["description"]), title="Alice's invitation now"))
    return {
        "event_id": event["id"],
        "patched": patched["description"],
        "meetings": mine,
        "room_meetings": rooms,
        "presence": presence,
        "notice": notice,
        "cleaned": cleaned["description"],
        "device_id": device_id,
        "device_token": device_token,
    }


def run(
    *, port: int, emulator_port: int, once: bool, console: Console, base: Path | None = None, keep: bool = False
) -> int:
    """Run the demo in a fresh folder under ``base`` (the temp directory when None); return the exit code.

    The folder is removed on exit unless ``keep``.
    """
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="hybrid-calendar-demo-", dir=base))
    try:
        return _run(data_dir, port=port, emulator_port=emulator_port, once=once, console=console, keep=keep)
    finally:
        if keep:
            console.print(Text(f"The demo's data stays in {data_dir}"), soft_wrap=True)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            console.print(Text(f"Removed the demo's data directory {data_dir}"), soft_wrap=True)


def _run(data_dir: Path, *, port: int, emulator_port: int, once: bool, console: Console, keep: bool) -> int:
    from emulator.server import EmulatorServer

    logs.configure("WARNING")
    console.print(Panel.fit("Hybrid Calendar demo: the whole service on the embedded default", style="bold cyan"))
    stop_on_sigterm()
    emulator = bind(
        "the Google emulator", "127.0.0.1", emulator_port, lambda: EmulatorServer("127.0.0.1", emulator_port)
    )
    try:
        return _serve(data_dir, emulator, port=port, once=once, console=console, keep=keep)
    finally:
        emulator.stop()


def _serve(data_dir: Path, emulator: EmulatorServer, *, port: int, once: bool, console: Console, keep: bool) -> int:
    clock = AcceleratedClock(SystemClock().now().replace(microsecond=0), factor=1.0)
    token = secrets.token_urlsafe(24)
    settings = config.Settings(
        data_dir=data_dir,
        port=port,
        google_base_url=emulator.url,
        public_url=f"http://127.0.0.1:{port}",
        admin_token=token,
    )
    runtime = LocalRuntime(build(settings, clock=clock))
    try:
        server = bind("the service", "127.0.0.1", port, lambda: RuntimeServer(runtime, "127.0.0.1", port)).start()
    except BaseException:
        runtime.close()
        raise
    world = DemoWorld(emulator.url, server.url, token)
    try:
        fate = "kept after the demo" if keep else "removed when the demo ends; --keep keeps it"
        console.print(f"Google emulator at {emulator.url}; local runtime at {server.url}", highlight=False)
        console.print(Text(f"Data in {data_dir} ({fate})"), soft_wrap=True)
        try:
            report = narrate(world, runtime, clock, console)
        except (httpx.HTTPError, TimeoutError) as exc:
            console.print(f"[red]The demo stopped: {type(exc).__name__}: {escape(str(exc))}[/]")
            return 1
        console.rule("Running")
        console.print(f"Web page:    {server.url}/app")
        console.print(f"Device view: {server.url}/device?token={report['device_token']}", soft_wrap=True)
        console.print(f"Admin API:   {server.url}/admin/v1 (token {token})", soft_wrap=True)
        if once:
            return 0
        console.print("Serving until Ctrl-C.")
        wait_until_stopped()
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        world.close()
        server.stop()
    return 0
