"""Fixtures for room release: the app world with both rooms shared with the room delegate to make changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import ALICE, ROOM, ROOM2, AppWorld, build_app_world
from tests.support.lifetime import checked_world
from tests.support.world import DOMAIN


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AppWorld]:
    """The app world; the room delegate (Alice) may make changes to both rooms' events, as release needs."""
    w = build_app_world(tmp_path)
    rooms = [
        {"email": ROOM, "name": "Room A", "writers": [ALICE]},
        {"email": ROOM2, "name": "Room B", "writers": [ALICE]},
    ]
    w.world.control.create_domain(DOMAIN, rooms=rooms)
    with checked_world(w.world):
        yield w
