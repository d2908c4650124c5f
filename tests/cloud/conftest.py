"""The cloud tier's fixtures: one topology for the session on the session's Google emulators, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cloud.harness.topology import Topology
from tests.cloud.support import Cloud, new_cloud
from tests.support.gcp_emulators import EmulatorProcess
from tests.support.instant import T0


@pytest.fixture(scope="session")
def topology(
    firestore_emulator: EmulatorProcess, pubsub_emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Topology]:
    """Every function in its own functions-framework process, on the emulators, at T0."""
    topo = Topology(tmp_path_factory.mktemp("cloud"), firestore_emulator.host_port, pubsub_emulator.host_port, start=T0)
    try:
        topo.start()
        yield topo
    finally:
        topo.stop()


@pytest.fixture
def cloud(topology: Topology) -> Cloud:
    """A fresh scenario: the topology reset to T0 with empty stores, and a new Workspace domain."""
    return new_cloud(topology)
