"""A test world's lifetime in a fixture: hand it to the test, then settle, close and check it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.world import World


@contextmanager
def checked_world(world: World) -> Iterator[World]:
    """Yield ``world``; then let it settle, close it and assert the emulator met no unexpected error.

    Settling first matters: pushes still in flight would otherwise reach a closed store.
    """
    try:
        yield world
    finally:
        world.settle()
        world.close()
        assert world.emulator_state.unexpected_errors == []
