"""Fixtures for the gcp adapters: the Cloud KMS emulator, Firestore stores and Pub/Sub buses on Google's emulators."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from emulator.kms import KmsEmulator
from shared.adapters.bus.pubsub import PubSubBus
from shared.adapters.crypto.kms import CloudKmsKek
from shared.adapters.store.firestore import FirestoreDocumentStore
from tests.contract.conftest import GCP_PROJECT, reset_firestore
from tests.support.gcp_emulators import EmulatorProcess

KEY_NAME = "projects/hybridcal-test/locations/global/keyRings/hybridcal/cryptoKeys/kek"


@pytest.fixture(scope="session")
def kms_server() -> Iterator[KmsEmulator]:
    """The gRPC Cloud KMS emulator, started once for the session."""
    server = KmsEmulator()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kms(kms_server: KmsEmulator) -> KmsEmulator:
    """The KMS emulator with call counts and faults cleared."""
    kms_server.state.reset()
    return kms_server


@pytest.fixture
def kek(kms: KmsEmulator) -> CloudKmsKek:
    """A CloudKmsKek on the emulator that does not sleep between retries."""
    return CloudKmsKek(KEY_NAME, endpoint=kms.endpoint, sleep=lambda _: None)


@pytest.fixture
def firestore_store(
    firestore_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FirestoreDocumentStore]:
    """A FirestoreDocumentStore on an emptied emulator database."""
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host_port)
    reset_firestore(firestore_emulator.host_port)
    store = FirestoreDocumentStore(GCP_PROJECT)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def pubsub_bus(pubsub_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubBus]:
    """A PubSubBus with a topic prefix of its own, fast retries and 3 attempts."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator.host_port)
    bus = PubSubBus(
        GCP_PROJECT, topic_prefix=f"g{uuid.uuid4().hex[:10]}-", max_attempts=3, min_backoff=0.0, max_backoff=1.0
    )
    try:
        yield bus
    finally:
        bus.close()
