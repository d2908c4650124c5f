"""Fixtures for presence tests: a whole deployment in one process (emulator + service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The emulator and the service, wired; nobody activated yet."""
    w = make_world(tmp_path)
    try:
        yield w
    finally:
        w.close()
