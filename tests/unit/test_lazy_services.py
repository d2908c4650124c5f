"""Services made on first use: a fresh App has made none (but the streams' listener in process), each is made
once per App whichever thread asks, and a function's instance imports only the services its requests reach."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from shared.adapters.bus.local import LocalBus
from shared.bootstrap import build, rewire
from shared.clock import ManualClock
from shared.config import Settings
from shared.lazy import lazy
from shared.wiring import Services, made
from tests.support.instant import T0
from tests.unit.test_composition_root import ElsewhereBus

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(name for name, v in vars(Services).items() if isinstance(v, lazy))


def test_a_fresh_app_has_made_no_service_but_the_streams_listener_where_the_bus_delivers_here(tmp_path: Path) -> None:
    here = build(Settings(data_dir=tmp_path / "a", scheduler=False), clock=ManualClock(T0), bus=LocalBus(workers=0))
    elsewhere = build(Settings(data_dir=tmp_path / "b", scheduler=False), clock=ManualClock(T0), bus=ElsewhereBus())
    try:
        assert made(here) == {"broadcaster"}  # it subscribes to the join-button and presence topics at build
        assert made(elsewhere) == frozenset()
        assert here.sync is here.sync
        assert made(here) == {"broadcaster", "calendar", "sync"}  # the sync reads the Calendar port, made with it
        assert "health_records" not in made(here) and here.health_records is here.health_records
    finally:
        here.close()
        elsewhere.close()
    assert made(elsewhere) == frozenset()  # closing makes nothing either


def test_every_service_is_made_once_and_shared_by_the_services_that_use_it(tmp_path: Path) -> None:
    app = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0), bus=ElsewhereBus())
    try:
        first = {name: getattr(app, name) for name in SERVICES}
        assert all(service is not None for service in first.values())
        assert made(app) == set(SERVICES)
        assert all(getattr(app, name) is first[name] for name in SERVICES)
        assert app.channels._sync() is app.sync  # what the channels' window advance runs is the App's sync
        assert app.sync._calendar is app.calendar and app.health_report._records is app.health_records  # one port each
        again = rewire(app)
        assert made(again) == frozenset() and again.sync is not app.sync  # a rewired App makes its own
    finally:
        app.close()


def test_a_maintenance_run_with_no_calendar_to_advance_makes_no_sync(tmp_path: Path) -> None:
    app = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0), bus=ElsewhereBus())
    try:
        report = app.channels.maintain()  # no org yet: channels to renew and calendars to advance are none
        assert report.advanced == report.reconciled == 0
        assert "sync" not in made(app)
    finally:
        app.close()


def test_threads_asking_at_once_get_one_service(tmp_path: Path) -> None:
    app = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0), bus=ElsewhereBus())
    start = threading.Barrier(8)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(app.provisioning)  # made with the sync and channel services it needs

    try:
        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(got) == 8 and all(service is got[0] for service in got)
    finally:
        app.close()


def test_the_webhook_instance_imports_none_of_the_other_services(tmp_path: Path) -> None:
    """A calendar_webhook instance handles a notification with the webhook service alone."""
    script = (
        "import json, sys, main, functions.calendar_webhook\n"
        "from shared.bootstrap import get_app\n"
        "from shared.wiring import made\n"
        "app = get_app()\n"
        "app.webhook\n"
        "print(json.dumps(sorted(made(app))))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('shared.services.'))))\n"
    )
    env = {"HYBRIDCAL_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HYBRIDCAL_LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout.splitlines()
    assert json.loads(out[0]) == ["broadcaster", "webhook"]  # the embedded bus delivers here
    loaded = set(json.loads(out[1]))
    for other in ("sync", "rewrite", "rooms", "presence", "provisioning", "conferences", "health", "alerts"):
        assert f"shared.services.{other}" not in loaded, sorted(loaded)
    assert "shared.services.webhook" in loaded
