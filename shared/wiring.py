"""The services of one process, each made on first use over the ports ``shared.bootstrap`` built.

:class:`Services` names every use case of the process; each is made (and its module imported)
the first time it is read, once per App, with only the repositories it uses. A function's
instance makes what its requests reach: the webhook never imports the sync, the rewrite or the
rooms. The Google, Cloud and HTTP clients behind the ports are likewise built by the adapters on
first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.lazy import lazy

if TYPE_CHECKING:
    from shared import config
    from shared.adapters.conferencing.registry import Providers
    from shared.adapters.google.id_tokens import IdTokenVerifier
    from shared.adapters.google.stack import GoogleStack
    from shared.adapters.store.meeting_records import MeetingRecords
    from shared.adapters.store.repositories import DocumentStores
    from shared.ports import Bus, CalendarGateway, Cipher, DocumentStore, KeyEncryptionKey
    from shared.ports.clock import Clock
    from shared.ports.directory import PrincipalValidator, VacationReader
    from shared.ports.health import HealthRecords
    from shared.ports.leases import Instances
    from shared.ports.lifecycle import Releasable
    from shared.services.alerts import AlertService
    from shared.services.auth import Authenticator
    from shared.services.broadcaster import Broadcaster
    from shared.services.channels import ChannelService
    from shared.services.conferences import ConferenceService
    from shared.services.deadletters import DeadLetterService
    from shared.services.delegation import DelegationWatch
    from shared.services.health import HealthService
    from shared.services.join_buttons import JoinButtonDispatcher
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
    validator: PrincipalValidator
    vacations: VacationReader
    google: GoogleStack
    """The Google clients, built on first use (``google.client`` is the pooled HTTP client as a callable)."""
    instances: Instances
    lock: Releasable
    """The embedded data dir's lock (``NoLock`` on the gcp backend)."""


def made(app: object) -> frozenset[str]:
    """The names of the services an App has made so far."""
    return frozenset(name for name, v in vars(Services).items() if isinstance(v, lazy) and name in app.__dict__)


class Services(Ports):
    """Every use case of the process, and the ports made from other ports (the Calendar gateway, the health
    records), each made on first use (see :class:`~shared.lazy.lazy`)."""

    @lazy
    def calendar(self) -> CalendarGateway:
        """The Calendar port: every Calendar operation, in domain values, as the principal each call names."""
        from shared.adapters.google.gateway import GoogleCalendarGateway

        return GoogleCalendarGateway(self.google.calendar_for)

    @lazy
    def health_records(self) -> HealthRecords:
        """The health port: counters and runs of the health report, alert hooks and alerts."""
        from shared.adapters.store.health_records import DocumentHealthRecords

        return DocumentHealthRecords(self.documents, self.cipher)

    @lazy
    def webhook(self) -> WebhookService:
        """Calendar push notifications: the channel check, the pending flag and the hand-off to sync."""
        from shared.services.webhook import WebhookService

        s = self.stores
        return WebhookService(s.channels, s.transactions, s.sync_states, self.bus, self.clock)

    @lazy
    def sync(self) -> SyncService:
        """Calendar sync: full and incremental, under the calendar's lease."""
        from shared.services.sync import SyncService

        s = self.stores
        return SyncService(
            s.orgs, s.principals, s.meetings, s.decisions, s.transactions, s.sync_states, self.bus, self.calendar,
            self.clock, self.instances, max_attempts=self.settings.bus_max_attempts,
        )  # fmt: skip

    @lazy
    def channels(self) -> ChannelService:
        """Push channels: watch, renew, stop, and the maintenance sweep's other parts."""
        from shared.services.channels import ChannelService
        from shared.services.deactivation import DeactivationSweep

        def health_sweep() -> int:
            """Maintenance's health part: light check, alert scan, due alert retries (releases nothing)."""
            self.delegation.light_check()
            self.health_report.scan()
            self.alerts.deliver_due()
            return 0

        s = self.stores
        after_deactivation = DeactivationSweep(s.principals, s.channels, self.clock).sweep
        return ChannelService(
            s.orgs, s.principals, s.meetings, s.sync_states, s.channels, self.calendar, lambda: self.sync,
            self.clock, self.settings.public_url, (self.conferences.sweep, health_sweep), after_deactivation,
        )  # fmt: skip

    @lazy
    def dead_letters(self) -> DeadLetterService:
        """Dead-lettered messages, recorded where admins see them."""
        from shared.services.deadletters import DeadLetterService

        s = self.stores
        return DeadLetterService(s.orgs, s.principals, s.dead_letters, self.clock)

    @lazy
    def provisioning(self) -> ProvisioningService:
        """Provisioning users and rooms, and their activation (first sync, then a channel)."""
        from shared.services.activation import ActivationFlow
        from shared.services.provisioning import ProvisioningService

        s = self.stores
        flow = ActivationFlow(self.sync, self.channels)
        return ProvisioningService(
            s.orgs, s.principals, s.channels, s.devices, self.bus, self.clock, self.validator, flow,
            max_attempts=self.settings.bus_max_attempts,
        )  # fmt: skip

    @lazy
    def presence(self) -> PresenceService:
        """Presence from calendars and vacation responders."""
        from shared.services.presence import PresenceService

        s = self.stores
        return PresenceService(
            s.orgs, s.principals, s.meetings, s.presence, self.bus, self.vacations, self.clock,
            on_refused=self.delegation.refused,
        )  # fmt: skip

    @lazy
    def providers(self) -> Providers:
        """The meeting platforms join details come from."""
        from shared.adapters.conferencing.registry import Providers
        from shared.adapters.conferencing.webex_api import WebexApiProvider

        orgs = self.stores.orgs
        http = self.google.client
        return Providers(
            WebexApiProvider(
                http, self.settings.webex_base_url, lambda org: orgs.org_secret(org.id, "webex_access_token")
            )
        )

    @lazy
    def meeting_records(self) -> MeetingRecords:
        """The service meetings made for events, and their claims."""
        from shared.adapters.store.meeting_records import MeetingRecords

        return MeetingRecords(self.stores.backend)

    @lazy
    def rewrite(self) -> RewriteService:
        """Writing join details into invitations (and taking them out)."""
        from shared.services.rewrite import RewriteService

        s = self.stores
        return RewriteService(s.orgs, s.principals, self.calendar, self.providers, self.clock, self.meeting_records)

    @lazy
    def conferences(self) -> ConferenceService:
        """Conferences made from the Calendar add-on, and their sweep."""
        from shared.services.conferences import ConferenceService

        s = self.stores
        return ConferenceService(s.orgs, s.principals, self.calendar, self.providers, self.clock, self.meeting_records)

    @lazy
    def broadcaster(self) -> Broadcaster:
        """Wakes open streams; in process it listens to the join-button and presence topics."""
        from shared.services.broadcaster import Broadcaster
        from shared.topics import JOIN_BUTTONS, PRESENCE_CHANGED

        broadcaster = Broadcaster()
        if self.bus.delivers_here:
            for topic in (JOIN_BUTTONS, PRESENCE_CHANGED):
                self.bus.subscribe(topic, broadcaster.notify, name=f"{topic}-streams")
        return broadcaster

    @lazy
    def join_buttons(self) -> JoinButtonDispatcher:
        """The join-button dispatch run and its corrections."""
        from shared.services.join_buttons import JoinButtonDispatcher

        s = self.stores
        return JoinButtonDispatcher(
            s.orgs, s.principals, s.meetings, s.notices, s.devices, self.bus, self.clock,
            on_notice=self.broadcaster.notify, transactions=s.transactions,
        )  # fmt: skip

    @lazy
    def id_tokens(self) -> IdTokenVerifier:
        """The app's ID-token verifier (the add-on's shares its certificate cache)."""
        from shared.adapters.google.id_tokens import IdTokenVerifier

        return IdTokenVerifier(self.settings, self.clock, self.google.client)

    @lazy
    def authenticator(self) -> Authenticator:
        """Who calls the app API: a person, a device or nobody."""
        from shared.services.auth import Authenticator

        s = self.stores
        return Authenticator(s.orgs, s.principals, s.devices, self.id_tokens)

    @lazy
    def invoker_verifier(self) -> IdTokenVerifier:
        """Verifies the OIDC tokens Cloud Scheduler and Pub/Sub push send (for the invoker audience)."""
        from shared.adapters.google.id_tokens import IdTokenVerifier

        audience = self.settings.invoker_audience or self.settings.oidc_client_id
        return IdTokenVerifier(self.settings, self.clock, self.google.client, audience=audience)

    @lazy
    def alerts(self) -> AlertService:
        """An org's alert webhooks and the signed delivery of alerts to them."""
        from shared.adapters.alert_sender import HttpAlertSender
        from shared.services.alerts import AlertService

        return AlertService(self.stores, self.health_records, self.clock, HttpAlertSender().post)

    @lazy
    def health_report(self) -> HealthService:
        """The org health report and the scan that raises alerts."""
        from shared.services.health import HealthService

        return HealthService(self.stores, self.health_records, self.clock, self.alerts)

    @lazy
    def delegation(self) -> DelegationWatch:
        """Google's refusals of a principal's calls turned into its error state (and the light check)."""
        from shared.services.delegation import DelegationWatch

        return DelegationWatch(
            self.stores, self.validator, self.clock, self.health_report, self.channels.stop_all, self.health_records
        )

    @lazy
    def rooms(self) -> RoomService:
        """Rooms that release themselves: policies, device check-in, the release run and the report."""
        from shared.adapters.store.room_records import RoomRecords
        from shared.services.rooms import RoomService

        return RoomService(self.stores, RoomRecords(self.stores.backend), self.calendar, self.clock)
