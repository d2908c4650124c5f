"""Shared fixtures: settings in a temp dir, clocks, Google's emulators for the session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.clock import ManualClock
from shared.config import Settings
from tests.support import gcp_emulators
from tests.support.instant import T0

IN_CI = os.environ.get("CI", "").lower() == "true"


_SCRATCH: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Point the service's default data directory at a scratch folder, so no test can touch the user's own."""
    if "HYBRIDCAL_DATA_DIR" not in os.environ:
        os.environ["HYBRIDCAL_DATA_DIR"] = _SCRATCH["dir"] = tempfile.mkdtemp(prefix="hybrid-calendar-tests-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the scratch data directory."""
    if "dir" in _SCRATCH:
        shutil.rmtree(_SCRATCH.pop("dir"), ignore_errors=True)


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at a fixed Tuesday morning."""
    return ManualClock(T0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded settings in a fresh data directory."""
    return Settings(data_dir=tmp_path / "data", admin_token="test-admin-token", bus_workers=2)


def _emulator(kind: str) -> Iterator[gcp_emulators.EmulatorProcess]:
    reason = gcp_emulators.available()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"the {kind} emulator is required under CI=true: {reason}")
        pytest.skip(f"the {kind} emulator is not available: {reason}")
    emulator = gcp_emulators.start(kind)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[gcp_emulators.EmulatorProcess]:
    """Google's Firestore emulator, started once for the session."""
    yield from _emulator("firestore")


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[gcp_emulators.EmulatorProcess]:
    """Google's Pub/Sub emulator, started once for the session."""
    yield from _emulator("pubsub")
