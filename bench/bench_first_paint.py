"""First paint of a day with 30 meetings on /app and /device (Debian's headless Chromium, embedded default).

The service runs as ``hybrid-calendar serve`` does (SQLite store, envelope encryption, the local
runtime behind a threaded WSGI server on a loopback port), with the Google emulator in process
for the ID-token check. One signed-in user and one room each have 30 meetings today (six
invitees, a Webex target). A run opens a fresh browser context and navigates: the page loads its
stylesheet and script, asks the service for the profile and today's meetings and renders the
30 cards; the figure is when Chromium painted them (Element Timing of the first card's title,
from the start of navigation). The floor, measured in the same run and browser, is the first contentful
paint of the same 30 cards as static HTML with the same stylesheet: no script, no API call.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from werkzeug.serving import make_server

from emulator.app import create_app
from emulator.client import ControlClient
from emulator.state import EmulatorState
from emulator.testing import BASE_URL
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import Settings
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting
from shared.domain.principals import CredentialRef, Device, Org, Principal, PrincipalKind, PrincipalState
from shared.domain.tokens import token_hash
from shared.runtime.server import LocalRuntime

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
USER, ROOM, TOKEN = "ann@example.com", "room-1@example.com", "bench-device-token-0123456789"
MEETINGS, RUNS, WARMUP = 30, 15, 2
CHROMIUM = Path("/usr/bin/chromium")


def seed(app: App) -> str:
    """One org, Ann (Berlin) and a room with one device; 30 meetings today on each calendar. Returns the device id."""
    org = Org(id="example-com", domain="example.com", credential=CredentialRef("stored", ""))
    app.stores.orgs.put_org(org, json.dumps({"type": "service_account"}))
    ann = app.stores.principals.principal_id(org.id, USER)
    room = app.stores.principals.principal_id(org.id, ROOM)
    app.stores.principals.put_principal(
        Principal(org.id, ann, USER, state=PrincipalState.ACTIVE, time_zone="Europe/Berlin")
    )
    app.stores.principals.put_principal(
        Principal(
            org.id, room, ROOM, PrincipalKind.ROOM, PrincipalState.ACTIVE, time_zone="Europe/Berlin", name="Room 1"
        )
    )
    app.stores.devices.put_device(Device(org.id, "bench-device", room, "Display", token_hash(TOKEN)))
    people = (Attendee(USER), *(Attendee(f"person{j}@example.com", display_name=f"Person {j}") for j in range(5)))
    meetings = []
    for owner in (ann, room):
        for i in range(MEETINGS):
            start = NOW + timedelta(minutes=20 * i)
            meetings.append(
                Meeting(
                    org_id=org.id,
                    principal_id=owner,
                    event_id=f"ev{i:03d}",
                    start=start,
                    end=start + timedelta(minutes=15),
                    title=f"Project sync {i}",
                    organizer="boss@example.com",
                    attendees=(*people, Attendee(ROOM, is_room=True, display_name="Room 1")),
                    location="Floor 4",
                    agenda="Agenda: " + "discussion points " * 10,
                    join_targets=(JoinTarget(JoinKind.WEBEX, f"https://acme.webex.com/meet/u{i}"),),
                )
            )
    app.stores.meetings.put_meetings(meetings, NOW)
    return "bench-device"


PAINTED = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const mine = list.getEntries().filter((e) => e.identifier === "hc-meetings");
    const times = mine.map((e) => e.renderTime || e.startTime);
    if (times.length) resolve(Math.min(...times));
  }).observe({ type: "element", buffered: true });
})"""


def painted(page: Any, url: str, cards: str) -> float:
    """Milliseconds from navigation start until the meetings were painted (Element Timing of the first card)."""
    page.goto(url)
    took = float(page.evaluate(PAINTED))
    assert page.locator(cards).count() == MEETINGS
    return took


def floor(page: Any, url: str) -> float:
    """Milliseconds to the first contentful paint of the static snapshot."""
    page.goto(url)
    page.wait_for_function("() => performance.getEntriesByType('paint').some(p => p.name === 'first-contentful-paint')")
    entries = page.evaluate("performance.getEntriesByType('paint').map(p => [p.name, p.startTime])")
    return float(dict(entries)["first-contentful-paint"])


def serve(html: str) -> Callable[[Any], None]:
    """A route handler that answers ``html``."""

    def handle(route: Any) -> None:
        route.fulfill(body=html, content_type="text/html")

    return handle


def measure(browser: Any, base: str, id_token: str) -> dict[str, list[float]]:
    """RUNS fresh contexts per page; the first WARMUP runs are dropped."""
    out: dict[str, list[float]] = {"floor_app": [], "app": [], "floor_device": [], "device": []}
    snapshots: dict[str, str] = {}
    for i in range(RUNS + WARMUP):
        for name, path, cards in (
            ("app", "/app", "article.meeting"),
            ("device", f"/device?token={TOKEN}", "#days article.meeting"),
        ):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_init_script(f"sessionStorage.setItem('hybridcal.idToken', {json.dumps(id_token)})")
            page = context.new_page()
            took = painted(page, base + path, cards)
            if name not in snapshots:
                html = page.evaluate("document.documentElement.outerHTML")
                snapshots[name] = html.replace('<script src="', '<script type="text/plain" data-src="')
            page.route(f"{base}/bench-floor", serve(snapshots[name]))
            base_took = floor(page, f"{base}/bench-floor")
            context.close()
            if i >= WARMUP:
                out[name].append(took)
                out[f"floor_{name}"].append(base_took)
    return out


def main() -> None:
    """Print the figures as a Markdown section."""
    print("## First paint of a day with 30 meetings (/app and /device, headless Chromium, embedded default)\n")
    if not CHROMIUM.exists():
        print("Not measured: Debian's Chromium (/usr/bin/chromium) is not installed.")
        return
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request lines in the Markdown

    state = EmulatorState()
    emulator = create_app(state)
    control = ControlClient(transport=httpx.WSGITransport(app=emulator))
    control.set_clock(time=NOW.isoformat().replace("+00:00", "Z"), frozen=True)
    control.create_domain("example.com", users=[{"email": USER, "name": "Ann", "timeZone": "Europe/Berlin"}])
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), google_base_url=BASE_URL, scheduler=False)
        app = build(settings, clock=ManualClock(NOW), google_transport=httpx.WSGITransport(app=emulator))
        seed(app)
        answer = control._http.post("/emulator/v1/id-tokens", json={"email": USER, "audience": settings.oidc_client_id})
        runtime = LocalRuntime(app, scheduler=False)
        server = make_server("127.0.0.1", 0, runtime, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                found = measure(browser, f"http://127.0.0.1:{server.server_port}", answer.json()["idToken"])
                browser.close()
        finally:
            app.broadcaster.close()
            server.shutdown()
            server.server_close()
            app.close()
            state.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Median and p95 of {RUNS} fresh browser contexts per page (after {WARMUP} warm-up runs);")
    print(f"load average at the end of the run: {load} on {os.cpu_count()} cores.\n")
    print("| page | what | median | p95 | median vs floor |")
    print("|---|---|---|---|---|")
    for name in ("app", "device"):
        base = statistics.median(found[f"floor_{name}"])
        for label, key in (("floor: static snapshot, first contentful paint", f"floor_{name}"), ("first paint", name)):
            values = found[key]
            med, p95 = statistics.median(values), statistics.quantiles(values, n=20)[18]
            print(f"| /{name} | {label} | {med:.0f} ms | {p95:.0f} ms | {med / base:.2f}x |")
    worst = max(statistics.quantiles(found[n], n=20)[18] for n in ("app", "device"))
    verdict = "met" if worst < 300 else "NOT met"
    print(f"\nTarget: first paint under 300 ms. Worst p95 here: {worst:.0f} ms ({verdict}).")


if __name__ == "__main__":
    main()
