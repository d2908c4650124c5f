"""The composition root: ``build(settings)`` wires ports to adapters for one backend.

Nothing here runs at import time. Functions call ``get_app()``, which builds the App once per
process from the environment (``from_environment``: settings, JSON logging, then ``build``);
tests and the local runtime can install their own with ``set_app``, and a host that brings its
own clock installs a factory with ``set_app_factory``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared import config, logs
from shared.adapters.bus.local import LocalBus
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.google.stack import GoogleStack
from shared.adapters.store.datadir import NoLock, open_embedded
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import AcceleratedClock, SystemClock
from shared.errors import ConfigError
from shared.lazy import lazy
from shared.services.leases import HeartbeatInstances, SoleInstance
from shared.wiring import Ports, Services, made

if TYPE_CHECKING:
    import httpx

    from shared.api.app import AppApi
    from shared.ports import Bus, DocumentStore, KeyEncryptionKey
    from shared.ports.clock import Clock
    from shared.ports.leases import Instances
    from shared.ports.lifecycle import Releasable


@dataclass(frozen=True)
class App(Services):
    """Everything a function needs, built once per process: every port wired, every service made on first use."""

    _closed: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def health(self) -> str | None:
        """None when the store answers and is sound, else what is wrong (``/healthz`` answers 503 then)."""
        return self.documents.check()

    @property
    def backends(self) -> dict[str, str]:
        """Which adapter serves each port (shown by /healthz)."""
        return {
            "store": type(self.documents).__name__,
            "bus": type(self.bus).__name__,
            "kek": type(self.kek).__name__,
            "google": self.settings.google_base_url or "https://www.googleapis.com",
        }

    @lazy
    def meetings_api(self) -> AppApi:
        """Everything the app API routes need."""
        from shared.api.app import AppApi
        from shared.services.auth import DevSignIn
        from shared.services.meetings_app import MeetingsApp

        dev = DevSignIn(self.settings, self.google.http_client) if self.settings.google_base_url else None
        api = AppApi(
            self.authenticator,
            MeetingsApp(self.stores.principals, self.stores.meetings, self.stores.presence, self.calendar, self.clock),
            self.stores,
            self.clock,
            self.broadcaster,
            dev,
        )
        from shared.adapters.google.id_tokens import AddOnIdTokens
        from shared.api.app_conferences import AddOnRoute

        api.rooms = self.rooms
        verifier = AddOnIdTokens(self.settings, self.clock, self.google.client, self.id_tokens)
        api.addon = AddOnRoute.build(self.settings, self.stores, verifier, self.conferences)
        return api

    def close(self) -> None:
        """Release the bus and the store."""
        if "broadcaster" in made(self):
            self.broadcaster.close()  # end open streams first (an App that made no streams' listener has none)
        if not self._closed.is_set():
            self.bus.close()
            self.instances.close()
            self.documents.close()
            self.lock.release()
            self._closed.set()


def build(
    settings: config.Settings,
    *,
    clock: Clock | None = None,
    bus: Bus | None = None,
    google_transport: httpx.BaseTransport | None = None,
) -> App:
    """Wire an App for ``settings.backend`` (``google_transport`` mounts an in-process emulator)."""
    if clock is None:
        clock = AcceleratedClock(settings.clock_start, 1.0) if settings.clock_start else SystemClock()
    documents: DocumentStore
    kek: KeyEncryptionKey
    lock: Releasable = NoLock()
    instances: Instances
    if settings.backend == "gcp":
        documents, kek = _gcp_store_and_kek(settings)
        bus = bus or _gcp_bus(settings, clock)
        instances = HeartbeatInstances(documents, clock)
    else:
        documents, kek, lock = open_embedded(settings.data_dir, settings.database_path, settings.key_file)
        instances = SoleInstance()  # the lock makes this process the only one on the data dir
    if bus is None:
        outbox = documents if isinstance(documents, SqliteDocumentStore) else None
        bus = LocalBus(outbox, workers=settings.bus_workers, max_attempts=settings.bus_max_attempts)
    else:
        bus.attach(documents)  # an embedded bus keeps its outbox there: publishes commit with their cause
    cipher = EnvelopeCipher(
        documents,
        kek,
        clock,
        rotation=timedelta(hours=settings.key_rotation_hours),
        cache_seconds=settings.key_cache_seconds,
    )
    stores = DocumentStores(documents, cipher)
    google = GoogleStack(
        settings,
        clock,
        stores.orgs.service_account_key,
        transport=google_transport,
        on_rate_limited=lambda subject, status: app.health_records.note_rate_limited(subject, status, clock.now()),
    )  # built on the first Google call: a function that never calls Google never imports its stack
    ports = Ports(
        settings=settings,
        clock=clock,
        documents=documents,
        kek=kek,
        cipher=cipher,
        stores=stores,
        bus=bus,
        validator=google,
        vacations=google,
        google=google,
        instances=instances,
        lock=lock,
    )
    app = wire(ports)  # the stack's rate-limit hook above reads this App's health records, made on first use
    return app


def wire(ports: Ports) -> App:
    """The App over these ports; its services are made on first use (the streams' listener at once where the
    bus delivers in this process, so no join button or presence change published from now on is missed)."""
    app = App(**_fields(ports))
    if ports.bus.delivers_here:
        app.broadcaster  # noqa: B018 (made now: it subscribes to the topics the streams follow)
    return app


def rewire(app: App, **changes: Any) -> App:
    """A new App over ``app``'s ports with some replaced (a wrapped bus, another store), its services made again."""
    ports = Ports(**{f.name: getattr(app, f.name) for f in fields(Ports)})
    return wire(dataclasses.replace(ports, **changes))


def _fields(record: Ports) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _gcp_store_and_kek(settings: config.Settings) -> tuple[DocumentStore, KeyEncryptionKey]:
    """Firestore and Cloud KMS (imported here, so the embedded path never loads google-cloud)."""
    from shared.adapters.crypto.kms import CloudKmsKek
    from shared.adapters.store.firestore import FirestoreDocumentStore

    if not settings.gcp_project or not settings.kms_key:
        raise ConfigError("HYBRIDCAL_GCP_PROJECT and HYBRIDCAL_KMS_KEY are required when HYBRIDCAL_BACKEND is gcp")
    store = FirestoreDocumentStore(settings.gcp_project, settings.firestore_database)
    return store, CloudKmsKek(settings.kms_key, endpoint=settings.kms_endpoint)


def _gcp_bus(settings: config.Settings, clock: Clock) -> Bus:
    """Pub/Sub with the deployment's topic prefix."""
    from shared.adapters.bus.pubsub import PubSubBus

    assert settings.gcp_project is not None
    return PubSubBus(
        settings.gcp_project, topic_prefix=settings.topic_prefix, max_attempts=settings.bus_max_attempts, clock=clock
    )


def from_environment(*, clock: Clock | None = None) -> App:
    """Read the settings, configure JSON logging at ``HYBRIDCAL_LOG_LEVEL`` (idempotently), build the App."""
    settings = config.load()
    logs.configure(settings.log_level)
    return build(settings, clock=clock)


_app: App | None = None
_factory: Callable[[], App] = from_environment
_lock = threading.Lock()


def get_app() -> App:
    """The process-wide App, built on first use (from the environment unless a factory was installed)."""
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                _app = _factory()
    return _app


def set_app_factory(factory: Callable[[], App] | None) -> None:
    """Make ``get_app()`` build with ``factory`` (None: from the environment) the next time it builds."""
    global _factory
    with _lock:
        _factory = factory or from_environment


def set_app(app: App | None) -> None:
    """Install (or clear, with None) the process-wide App."""
    global _app
    with _lock:
        _app = app
