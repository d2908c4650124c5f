"""The composition root: ``build(settings)`` wires ports to adapters for one backend.

Nothing here runs at import time. Functions call ``get_app()``, which builds the App once per
process from the environment (``from_environment``: settings, JSON logging, then ``build``);
tests and the local runtime can install their own with ``set_app``, and a host that brings its
own clock installs a factory with ``set_app_factory``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import httpx

from shared import config, logs
from shared.adapters.bus.local import LocalBus
from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.store.datadir import DataDirLock, open_embedded
from shared.adapters.store.health_records import DocumentHealthRecords
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import AcceleratedClock, SystemClock
from shared.domain.principals import Org, Principal
from shared.errors import ConfigError
from shared.ports import Bus, CalendarDirectory, Cipher, DocumentStore, EventEditor, KeyEncryptionKey
from shared.ports.clock import Clock
from shared.ports.health import HealthRecords
from shared.ports.leases import Instances
from shared.services.leases import HeartbeatInstances, SoleInstance

if TYPE_CHECKING:
    from shared.adapters.conferencing.registry import Providers
    from shared.adapters.google.clients import GoogleClients
    from shared.adapters.store.meeting_records import MeetingRecords
    from shared.api.app import AppApi
    from shared.ports.directory import PrincipalValidator, VacationReader
    from shared.services.alerts import AlertService
    from shared.services.auth import Authenticator, IdTokenVerifier
    from shared.services.channels import ChannelService
    from shared.services.conferences import ConferenceService
    from shared.services.deadletters import DeadLetterService
    from shared.services.delegation import DelegationWatch
    from shared.services.health import HealthService
    from shared.services.join_buttons import Broadcaster, JoinButtonDispatcher
    from shared.services.presence import PresenceService
    from shared.services.provisioning import ProvisioningService
    from shared.services.rewrite import RewriteService
    from shared.services.sync import SyncService
    from shared.services.webhook import WebhookService


@dataclass(frozen=True)
class App:
    """Everything a function needs, built once per process: every port wired, nothing optional.

    The services are made on first use (their modules imported then), each once.
    """

    settings: config.Settings
    clock: Clock
    documents: DocumentStore
    kek: KeyEncryptionKey
    cipher: Cipher
    stores: DocumentStores
    bus: Bus
    directory: CalendarDirectory
    validator: PrincipalValidator
    vacations: VacationReader
    editors: Callable[[Org, Principal], EventEditor]
    google: GoogleClients
    instances: Instances
    lock: DataDirLock | None  # the embedded data dir's lock; a cloud deployment has none
    health_records: HealthRecords  # counters and runs of the health report, alert hooks and alerts
    _closed: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @cached_property
    def webhook(self) -> WebhookService:
        """The push webhook's use case."""
        from shared.services.webhook import WebhookService

        return WebhookService(self.stores, self.bus, self.clock)

    @cached_property
    def sync(self) -> SyncService:
        """Calendar sync."""
        from shared.services.sync import SyncService

        return SyncService(
            self.stores,
            self.bus,
            self.directory,
            self.clock,
            self.instances,
            max_attempts=self.settings.bus_max_attempts,
        )

    @cached_property
    def channels(self) -> ChannelService:
        """Watch channels, window advance and reconciliation (and the sweep of the add-on's unsaved reservations)."""
        from shared.services.channels import ChannelService

        sweeps = (lambda: self.conferences.sweep(), self._health_sweep)
        return ChannelService(self.stores, self.directory, self.sync, self.clock, self.settings.public_url, sweeps)

    @cached_property
    def alerts(self) -> AlertService:
        """An org's alert webhooks and the signed delivery of alerts to them."""
        from shared.adapters.alert_sender import HttpAlertSender
        from shared.services.alerts import AlertService

        return AlertService(self.stores, self.health_records, self.clock, HttpAlertSender().post)

    @cached_property
    def health_report(self) -> HealthService:
        """The org health report and the scan that raises alerts."""
        from shared.services.health import HealthService

        return HealthService(self.stores, self.health_records, self.clock, self.alerts)

    @cached_property
    def delegation(self) -> DelegationWatch:
        """Google's refusals of a principal's calls turned into its error state (and the light check)."""
        from shared.services.delegation import DelegationWatch

        stop = self.channels.stop_all
        return DelegationWatch(self.stores, self.validator, self.clock, self.health_report, stop, self.health_records)

    def _health_sweep(self) -> int:
        """Maintenance's health part: the light check, the alert scan, due alert retries (counts nothing released)."""
        self.delegation.light_check()
        self.health_report.scan()
        self.alerts.deliver_due()
        return 0

    @cached_property
    def dead_letters(self) -> DeadLetterService:
        """Dead letters, counted per topic and per principal for admins."""
        from shared.services.deadletters import DeadLetterService

        return DeadLetterService(self.stores, self.clock)

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

    @cached_property
    def provisioning(self) -> ProvisioningService:
        """Orgs and principals."""
        from shared.services.activation import ActivationFlow
        from shared.services.provisioning import ProvisioningService

        flow = ActivationFlow(self.sync, self.channels)
        return ProvisioningService(
            self.stores, self.bus, self.clock, self.validator, flow, max_attempts=self.settings.bus_max_attempts
        )

    @cached_property
    def presence(self) -> PresenceService:
        """Out-of-office presence."""
        from shared.services.presence import PresenceService

        refused = lambda o, p, e: self.delegation.refused(o, p, e)  # noqa: E731
        return PresenceService(self.stores, self.bus, self.vacations, self.clock, on_refused=refused)

    @cached_property
    def providers(self) -> Providers:
        """The conferencing providers the keyword rewrite and the add-on's conference route share."""
        from shared.adapters.conferencing.registry import Providers
        from shared.adapters.conferencing.webex_api import WebexApiProvider

        webex = WebexApiProvider(
            self._http(), self.settings.webex_base_url, lambda org: self.stores.org_secret(org.id, "webex_access_token")
        )
        return Providers(webex)

    @cached_property
    def meeting_records(self) -> MeetingRecords:
        """The per-meeting record (decisions and held meetings)."""
        from shared.adapters.store.meeting_records import MeetingRecords

        return MeetingRecords(self.stores)

    @cached_property
    def rewrite(self) -> RewriteService:
        """Join details from keywords."""
        from shared.services.rewrite import RewriteService

        return RewriteService(self.stores, self.editors, self.providers, self.clock, self.meeting_records)

    @cached_property
    def conferences(self) -> ConferenceService:
        """The add-on's conferences (``POST /v1/conferences``) and the sweep of reservations never saved."""
        from shared.services.conferences import ConferenceService

        return ConferenceService(self.stores, self.editors, self.providers, self.clock, self.meeting_records)

    @cached_property
    def broadcaster(self) -> Broadcaster:
        """Wakes app and device streams; in process it listens to the join-button and presence topics."""
        from shared.services.join_buttons import Broadcaster
        from shared.topics import JOIN_BUTTONS, PRESENCE_CHANGED

        broadcaster = Broadcaster()
        if self.bus.delivers_here:
            for topic in (JOIN_BUTTONS, PRESENCE_CHANGED):
                self.bus.subscribe(topic, broadcaster.notify, name=f"{topic}-streams")
        return broadcaster

    @cached_property
    def join_buttons(self) -> JoinButtonDispatcher:
        """Join-button (OBTP) dispatch."""
        from shared.services.join_buttons import JoinButtonDispatcher

        return JoinButtonDispatcher(self.stores, self.bus, self.clock, on_notice=self.broadcaster.notify)

    def _http(self) -> httpx.Client:
        return self.google.http_client

    @cached_property
    def authenticator(self) -> Authenticator:
        """ID-token and device-token authentication for the app API."""
        from shared.services.auth import Authenticator, IdTokenVerifier

        return Authenticator(self.stores, IdTokenVerifier(self.settings, self.clock, self._http()))

    @cached_property
    def invoker_verifier(self) -> IdTokenVerifier | None:
        """Verifies the OIDC tokens Cloud Scheduler and Pub/Sub push send (None without an invoker audience)."""
        from shared.services.auth import IdTokenVerifier

        audience = self.settings.invoker_audience
        return IdTokenVerifier(self.settings, self.clock, self._http(), audience=audience) if audience else None

    @cached_property
    def meetings_api(self) -> AppApi:
        """Everything the app API routes need."""
        from typing import cast

        from shared.api.app import AppApi
        from shared.ports.app_calendar import AppDirectory
        from shared.services.auth import DevSignIn
        from shared.services.meetings_app import MeetingsApp

        directory = cast("AppDirectory", self.directory)  # GoogleCalendarDirectory has the app operations
        dev = DevSignIn(self.settings, self._http()) if self.settings.google_base_url else None
        api = AppApi(
            self.authenticator,
            MeetingsApp(self.stores, directory, self.clock),
            self.stores,
            self.clock,
            self.broadcaster,
            dev,
        )
        from shared.api.app_conferences import AddOnRoute

        app = self.authenticator.verifier
        api.addon = AddOnRoute.build(self.settings, self.clock, self._http(), self.stores, app, self.conferences)
        return api

    def close(self) -> None:
        """Release the bus and the store."""
        if "broadcaster" in self.__dict__:
            self.broadcaster.close()  # end open streams first
        if not self._closed.is_set():
            self.bus.close()
            self.instances.close()
            self.documents.close()
            if self.lock is not None:
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
    lock: DataDirLock | None = None
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
    from shared.adapters.google.clients import GoogleCalendarDirectory, GoogleClients
    from shared.adapters.google.secrets import SecretManagerSecrets
    from shared.adapters.google.workspace import GoogleWorkspace

    google = GoogleClients(settings, clock, transport=google_transport)
    secrets = SecretManagerSecrets(endpoint=settings.secret_manager_endpoint)
    directory = GoogleCalendarDirectory(google, stores.service_account_key, secrets.access, clock)
    workspace = GoogleWorkspace(google, directory, clock)
    health_records = DocumentHealthRecords(documents, cipher)
    google.http.on_rate_limited = lambda subject, status: health_records.note_rate_limited(subject, status, clock.now())
    return App(
        settings=settings,
        clock=clock,
        documents=documents,
        kek=kek,
        cipher=cipher,
        stores=stores,
        bus=bus,
        directory=directory,
        validator=workspace,
        vacations=workspace,
        editors=workspace.editor_for,
        google=google,
        instances=instances,
        lock=lock,
        health_records=health_records,
    )


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
