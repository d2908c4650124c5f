"""Adapter factories for the contract suites: every store and bus adapter runs the same tests.

New adapters join by adding a parameter here. Firestore and Pub/Sub run against Google's
emulators (the session fixtures of ``tests/conftest.py``): the Firestore database is emptied
before each test, and each Pub/Sub bus gets its own topic prefix so tests never share topics.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.adapters.bus.local import LocalBus
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.ports import DocumentStore

STORE_KINDS = ["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)]
BUS_KINDS = ["local", pytest.param("pubsub", marks=pytest.mark.pubsub)]
GCP_PROJECT = "hybridcal-test"


def reset_firestore(host_port: str, project: str = GCP_PROJECT) -> None:
    """Delete every document of the emulator's default database."""
    url = f"http://{host_port}/emulator/v1/projects/{project}/databases/(default)/documents"
    httpx.delete(url, timeout=30).raise_for_status()


def firestore_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> DocumentStore:
    """A FirestoreDocumentStore on the session's emulator, on an empty database (TTL emulated: it has none)."""
    from shared.adapters.store.firestore import FirestoreDocumentStore

    emulator = request.getfixturevalue("firestore_emulator")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.host_port)
    reset_firestore(emulator.host_port)
    return FirestoreDocumentStore(GCP_PROJECT, emulate_ttl=True)


@pytest.fixture(params=STORE_KINDS)
def document_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DocumentStore]:
    """A fresh, empty document store of each kind."""
    store: DocumentStore
    if request.param == "sqlite":
        store = SqliteDocumentStore(tmp_path / "contract.sqlite3")
    elif request.param == "firestore":
        store = firestore_store(request, monkeypatch)
    else:  # pragma: no cover - future adapters
        raise AssertionError(request.param)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BUS_KINDS)
def bus(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh bus of each kind with fast retries and 3 attempts before dead-lettering."""
    instance: Any
    if request.param == "local":
        instance = LocalBus(workers=4, max_attempts=3, backoff_base=0.001, backoff_cap=0.01)
    elif request.param == "pubsub":
        from shared.adapters.bus.pubsub import PubSubBus

        emulator = request.getfixturevalue("pubsub_emulator")
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", emulator.host_port)
        instance = PubSubBus(
            GCP_PROJECT,
            topic_prefix=f"c{uuid.uuid4().hex[:10]}-",
            max_attempts=3,
            min_backoff=0.0,
            max_backoff=1.0,
            create_missing_topics=True,
        )
    else:  # pragma: no cover - future adapters
        raise AssertionError(request.param)
    try:
        yield instance
    finally:
        instance.close()
