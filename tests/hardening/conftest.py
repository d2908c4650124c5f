"""Fixtures for the hardening tests: a whole deployment in one process, its pushes recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app.conftest import AppWorld, build_app_world
from tests.faults.support import RecordingTransport
from tests.support.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The emulator and the service, wired; nobody activated yet."""
    w = make_world(tmp_path)
    try:
        yield w
    finally:
        w.close()


@pytest.fixture
def recorder(world: World) -> RecordingTransport:
    """Record every push the emulator delivers to the webhook (they still reach it)."""
    transport = RecordingTransport(httpx.WSGITransport(app=world.runtime))
    world.emulator_state.set_push_transport(transport)
    return transport


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AppWorld]:
    """Two orgs with people, rooms and devices, and a WSGI client on the local runtime."""
    w = build_app_world(tmp_path)
    try:
        yield w
    finally:
        w.world.settle()
        w.world.close()
