"""The composition root: ``build(settings)`` wires ports to adapters for one backend.

Nothing here runs at import time. Functions call ``get_app()``, which builds the App once per
process from the environment; tests and the local runtime can install their own with
``set_app``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta

from shared import config
from shared.adapters.bus.local import LocalBus
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import Clock, SystemClock
from shared.errors import NotImplementedCapability
from shared.ports import Cipher, DocumentStore, KeyEncryptionKey, MessageBus


@dataclass
class App:
    """Everything a function needs, built once per process."""

    settings: config.Settings
    clock: Clock
    documents: DocumentStore
    kek: KeyEncryptionKey
    cipher: Cipher
    stores: DocumentStores
    bus: MessageBus
    closed: bool = field(default=False)

    @property
    def backends(self) -> dict[str, str]:
        """Which adapter serves each port (shown by /healthz)."""
        return {
            "store": type(self.documents).__name__,
            "bus": type(self.bus).__name__,
            "kek": type(self.kek).__name__,
            "google": self.settings.google_base_url or "https://www.googleapis.com",
        }

    def close(self) -> None:
        """Release the bus and the store."""
        if not self.closed:
            self.bus.close()
            self.documents.close()
            self.closed = True


def build(settings: config.Settings, *, clock: Clock | None = None, bus: MessageBus | None = None) -> App:
    """Wire an App for ``settings.backend``."""
    clock = clock or SystemClock()
    if settings.backend != "embedded":
        raise NotImplementedCapability("the gcp backend (Firestore, Pub/Sub and Cloud KMS adapters)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    documents = SqliteDocumentStore(settings.database_path)
    kek = LocalKek.from_file(settings.key_file)
    cipher = EnvelopeCipher(
        documents,
        kek,
        clock,
        rotation=timedelta(hours=settings.key_rotation_hours),
        cache_seconds=settings.key_cache_seconds,
    )
    bus = bus or LocalBus(workers=settings.bus_workers, max_attempts=settings.bus_max_attempts)
    return App(
        settings=settings,
        clock=clock,
        documents=documents,
        kek=kek,
        cipher=cipher,
        stores=DocumentStores(documents, cipher),
        bus=bus,
    )


_app: App | None = None
_lock = threading.Lock()


def get_app() -> App:
    """The process-wide App, built from the environment on first use."""
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                _app = build(config.load())
    return _app


def set_app(app: App | None) -> None:
    """Install (or clear, with None) the process-wide App."""
    global _app
    with _lock:
        _app = app
