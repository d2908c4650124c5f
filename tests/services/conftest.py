"""The services tier: the use cases on SQLite, a bus with no worker threads, the emulator as Google."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A deployment whose every bus delivery happens on the test's thread, inside ``settle()``."""
    instance = make_world(tmp_path, workers=0)
    try:
        yield instance
    finally:
        instance.settle()
        instance.close()
