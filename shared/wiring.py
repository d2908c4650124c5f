"""The services of one process, wired eagerly over the ports ``shared.bootstrap`` built.

:func:`wire_services` makes every use case once, each with only the repositories it uses; the
Google, Cloud and HTTP clients behind the ports are still built by the adapters on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared import config
from shared.adapters.store.repositories import DocumentStores
from shared.ports import Bus, CalendarGateway, Cipher, DocumentStore, KeyEncryptionKey
from shared.ports.clock import Clock
from shared.ports.directory import PrincipalValidator, VacationReader
from shared.ports.health import HealthRecords
from shared.ports.leases import Instances

if TYPE_CHECKING:
    from shared.adapters.conferencing.registry import Providers
    from shared.adapters.google.id_tokens import IdTokenVerifier
    from shared.adapters.google.stack import GoogleStack
    from shared.adapters.store.datadir import DataDirLock
    from shared.adapters.store.meeting_records import MeetingRecords
    from shared.services.alerts import AlertService
    from shared.services.auth import Authenticator
    from shared.services.channels import ChannelService
    from shared.services.conferences import ConferenceService
    from shared.services.deadletters import DeadLetterService
    from shared.services.delegation import DelegationWatch
    from shared.services.health import HealthService
    from shared.services.join_buttons import Broadcaster, JoinButtonDispatcher
    from shared.services.presence import PresenceService
    from shared.services.provisioning import ProvisioningService
    from shared.services.rewrite import RewriteService
    from shared.services.rooms import RoomService
    from shared.services.sync import SyncService
    from shared.services.webhook import WebhookService


@dataclass(frozen=True)
class Ports:
    """Every port of the process, wired to its adapter for the backend."""

    settings: config.Settings
    clock: Clock
    documents: DocumentStore
    kek: KeyEncryptionKey
    cipher: Cipher
    stores: DocumentStores
    bus: Bus
    calendar: CalendarGateway
    """Every Calendar operation, in domain values, acting as the principal each call names."""
    validator: PrincipalValidator
    vacations: VacationReader
    google: GoogleStack
    """The Google clients, built on first use (``google.client`` is the pooled HTTP client as a callable)."""
    instances: Instances
    lock: DataDirLock | None
    """The embedded data dir's lock; a cloud deployment has none."""
    health_records: HealthRecords
    """Counters and runs of the health report, alert hooks and alerts."""


@dataclass(frozen=True)
class Services:
    """Every use case of the process, each built once at start-up."""

    webhook: WebhookService
    sync: SyncService
    channels: ChannelService
    dead_letters: DeadLetterService
    provisioning: ProvisioningService
    presence: PresenceService
    providers: Providers
    meeting_records: MeetingRecords
    rewrite: RewriteService
    conferences: ConferenceService
    broadcaster: Broadcaster
    join_buttons: JoinButtonDispatcher
    id_tokens: IdTokenVerifier
    """The app's ID-token verifier (the add-on's shares its certificate cache)."""
    authenticator: Authenticator
    invoker_verifier: IdTokenVerifier
    """Verifies the OIDC tokens Cloud Scheduler and Pub/Sub push send (for the invoker audience)."""
    alerts: AlertService
    """An org's alert webhooks and the signed delivery of alerts to them."""
    health_report: HealthService
    """The org health report and the scan that raises alerts."""
    delegation: DelegationWatch
    """Google's refusals of a principal's calls turned into its error state (and the light check)."""
    rooms: RoomService
    """Rooms that release themselves: policies, device check-in, the release run and the report."""


def wire_services(ports: Ports) -> Services:
    """Make every service over the ports, each with only the repositories it uses."""
    from shared.adapters.alert_sender import HttpAlertSender
    from shared.adapters.conferencing.registry import Providers
    from shared.adapters.conferencing.webex_api import WebexApiProvider
    from shared.adapters.google.id_tokens import IdTokenVerifier
    from shared.adapters.store.meeting_records import MeetingRecords
    from shared.adapters.store.room_records import RoomRecords
    from shared.services.activation import ActivationFlow
    from shared.services.alerts import AlertService
    from shared.services.auth import Authenticator
    from shared.services.channels import ChannelService
    from shared.services.conferences import ConferenceService
    from shared.services.deadletters import DeadLetterService
    from shared.services.delegation import DelegationWatch
    from shared.services.health import HealthService
    from shared.services.join_buttons import Broadcaster, JoinButtonDispatcher
    from shared.services.presence import PresenceService
    from shared.services.provisioning import ProvisioningService
    from shared.services.rewrite import RewriteService
    from shared.services.rooms import RoomService
    from shared.services.sync import SyncService
    from shared.services.webhook import WebhookService
    from shared.topics import JOIN_BUTTONS, PRESENCE_CHANGED

    settings, clock, bus, calendar = ports.settings, ports.clock, ports.bus, ports.calendar
    s, attempts, http = ports.stores, settings.bus_max_attempts, ports.google.client
    sync = SyncService(
        s.orgs, s.principals, s.meetings, s.decisions, s.transactions, s.sync_states, bus, calendar, clock,
        ports.instances, max_attempts=attempts,
    )  # fmt: skip
    webex = WebexApiProvider(http, settings.webex_base_url, lambda org: s.orgs.org_secret(org.id, "webex_access_token"))
    providers = Providers(webex)
    records = MeetingRecords(s.backend)
    conferences = ConferenceService(s.orgs, s.principals, calendar, providers, clock, records)
    alerts = AlertService(s, ports.health_records, clock, HttpAlertSender().post)
    health_report = HealthService(s, ports.health_records, clock, alerts)

    def health_sweep() -> int:
        """Maintenance's health part: the light check, the alert scan, due alert retries (counts nothing released)."""
        delegation.light_check()
        health_report.scan()
        alerts.deliver_due()
        return 0

    channels = ChannelService(
        s.orgs, s.principals, s.meetings, s.sync_states, s.channels, calendar, sync, clock, settings.public_url,
        (conferences.sweep, health_sweep),
    )  # fmt: skip
    delegation = DelegationWatch(s, ports.validator, clock, health_report, channels.stop_all, ports.health_records)
    flow = ActivationFlow(sync, channels)
    provisioning = ProvisioningService(
        s.orgs, s.principals, s.channels, s.devices, bus, clock, ports.validator, flow, max_attempts=attempts
    )
    broadcaster = Broadcaster()
    if bus.delivers_here:  # in process the streams listen to the join-button and presence topics
        for topic in (JOIN_BUTTONS, PRESENCE_CHANGED):
            bus.subscribe(topic, broadcaster.notify, name=f"{topic}-streams")
    id_tokens = IdTokenVerifier(settings, clock, http)
    invoker_audience = settings.invoker_audience or settings.oidc_client_id
    return Services(
        webhook=WebhookService(s.channels, s.transactions, s.sync_states, bus, clock),
        sync=sync,
        channels=channels,
        dead_letters=DeadLetterService(s.orgs, s.principals, s.dead_letters, clock),
        provisioning=provisioning,
        presence=PresenceService(
            s.orgs, s.principals, s.meetings, s.presence, bus, ports.vacations, clock, on_refused=delegation.refused
        ),
        providers=providers,
        meeting_records=records,
        rewrite=RewriteService(s.orgs, s.principals, calendar, providers, clock, records),
        conferences=conferences,
        broadcaster=broadcaster,
        join_buttons=JoinButtonDispatcher(
            s.orgs,
            s.principals,
            s.meetings,
            s.notices,
            s.devices,
            bus,
            clock,
            on_notice=broadcaster.notify,
            transactions=s.transactions,
        ),
        id_tokens=id_tokens,
        authenticator=Authenticator(s.orgs, s.principals, s.devices, id_tokens),
        invoker_verifier=IdTokenVerifier(settings, clock, http, audience=invoker_audience),
        alerts=alerts,
        health_report=health_report,
        delegation=delegation,
        rooms=RoomService(s, RoomRecords(s.backend), calendar, clock),
    )
