"""Adapter factories for the contract suites: every store and bus adapter runs the same tests.

New adapters join by adding a parameter here (Firestore and Pub/Sub run against Google's
emulators).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.bus.local import LocalBus
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.ports import DocumentStore

STORE_KINDS = ["sqlite"]
BUS_KINDS = ["local"]


@pytest.fixture(params=STORE_KINDS)
def document_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStore]:
    """A fresh, empty document store of each kind."""
    if request.param == "sqlite":
        store = SqliteDocumentStore(tmp_path / "contract.sqlite3")
    else:  # pragma: no cover - future adapters
        raise AssertionError(request.param)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=BUS_KINDS)
def bus(request: pytest.FixtureRequest) -> Iterator[LocalBus]:
    """A fresh bus of each kind with fast retries and 3 attempts before dead-lettering."""
    if request.param == "local":
        instance = LocalBus(workers=4, max_attempts=3, backoff_base=0.001, backoff_cap=0.01)
    else:  # pragma: no cover - future adapters
        raise AssertionError(request.param)
    try:
        yield instance
    finally:
        instance.close()
