"""The composition root: a frozen, fully wired App, and the bus port's in-process capability."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pytest

from shared.adapters.bus.local import LocalBus
from shared.adapters.bus.wire import SendsMessages
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import Settings
from shared.ports import Handler
from shared.ports.messages import SyncCalendar
from shared.topics import CALENDAR_SYNC
from tests.support.instant import T0


class ElsewhereBus(SendsMessages):
    """A bus whose subscribers run in another process: it keeps what it is sent and the subscriptions asked."""

    def __init__(self) -> None:
        self.topics: list[str] = []
        self.subscribed: list[str] = []

    def publish(
        self, topic: str, data: bytes, *, ordering_key: str | None = None, attributes: Mapping[str, str] | None = None
    ) -> str:
        """Keep the topic."""
        self.topics.append(topic)
        return str(len(self.topics))

    def subscribe(self, topic: str, handler: Handler, *, name: str | None = None) -> None:
        """Remember the subscription."""
        self.subscribed.append(topic)

    def close(self) -> None:
        """Nothing to release."""


def test_app_is_frozen_and_every_port_is_wired(tmp_path: Path) -> None:
    """build() wires every port (none left None) and the record refuses to be rewired afterwards."""
    app = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0))
    try:
        assert all(getattr(app, f.name) is not None for f in dataclasses.fields(app) if f.name != "lock")
        with pytest.raises(dataclasses.FrozenInstanceError):
            app.bus = ElsewhereBus()  # type: ignore[misc]
    finally:
        app.close()


def test_a_passed_embedded_bus_keeps_its_outbox_in_the_store(tmp_path: Path) -> None:
    """An unbound embedded bus given to build() is attached to the SQLite store: a send inside a failed
    transaction is rolled back with it, a committed one is delivered."""
    bus = LocalBus(workers=0)
    assert not bus.bound
    app = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0), bus=bus)
    try:
        assert bus.bound and bus.delivers_here
        got: list[bytes] = []
        bus.subscribe(CALENDAR_SYNC, lambda m: got.append(m.data), name="t")
        with pytest.raises(RuntimeError):
            _send_then_fail(app, bus)
        with app.stores.atomic():
            bus.send(SyncCalendar(org_id="o", principal_id="kept"))
        bus.drain()
        assert len(got) == 1 and b"kept" in got[0]
    finally:
        app.close()


def _send_then_fail(app: App, bus: LocalBus) -> None:
    """Send inside the store's transaction, then fail the state change it belonged to."""
    with app.stores.atomic():
        bus.send(SyncCalendar(org_id="o", principal_id="rolled-back"))
        raise RuntimeError("the state change failed")


def test_streams_listen_on_the_bus_only_when_it_delivers_here(tmp_path: Path) -> None:
    """The broadcaster subscribes to the join-button and presence topics on an in-process bus only."""
    elsewhere = ElsewhereBus()
    app = build(Settings(data_dir=tmp_path / "a", scheduler=False), clock=ManualClock(T0), bus=elsewhere)
    try:
        assert not elsewhere.delivers_here
        app.broadcaster.notify()
        assert elsewhere.subscribed == []
    finally:
        app.close()
