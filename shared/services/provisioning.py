"""Orgs and principals: create and configure orgs; activate, validate, deactivate principals.

Activation: ``pending`` → (provision_user) ``validating`` → ``active`` or ``error(reason)``.
Validation asks Google for a delegated token, the calendar and the Gmail vacation settings.
After it an initial full sync of the window runs and a watch channel opens. Deactivation stops
the channels and destroys the principal's meetings, presence, notices, sync state, devices and
key material (crypto-shredding); the record itself stays, saying when and by whom, until purged.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from msgspec.structs import replace

from shared.domain.principals import (
    ErrorReason,
    Org,
    Principal,
    PrincipalKind,
    PrincipalState,
)
from shared.domain.sync import ChannelState
from shared.errors import Conflict, HybridCalendarError, InvalidInput, NotFound, RetryableError
from shared.logs import ctx, get_logger
from shared.ports import MessageBus
from shared.ports.clock import Clock
from shared.ports.directory import PrincipalValidator
from shared.ports.lifecycle import Activation
from shared.ports.messages import ProvisionUser
from shared.ports.stores import ChannelRepository, DeviceRepository, OrgRepository, PrincipalRepository
from shared.services.deactivation import mark_channels_stopped
from shared.services.devices import DeviceService, new_device

log = get_logger(__name__)
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(slots=True)
class ActivationResult:
    """A principal just activated, with device tokens shown once."""

    principal: Principal
    device_tokens: dict[str, str] = field(default_factory=dict)
    device_names: dict[str, str] = field(default_factory=dict)


def org_id_for(domain: str) -> str:
    """The default org id for a domain."""
    return domain.lower().replace(".", "-")


class ProvisioningService:
    """Use cases of the admin API and of provision_user."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        channels: ChannelRepository,
        devices: DeviceRepository,
        bus: MessageBus,
        clock: Clock,
        validator: PrincipalValidator,
        activation: Activation,
        max_attempts: int = 5,
    ) -> None:
        self._orgs, self._principals, self._channels, self._devices = orgs, principals, channels, devices
        self._bus, self._clock = bus, clock
        self._validator, self._activation = validator, activation
        self._max_attempts = max_attempts

    # ------------------------------------------------------------ orgs

    def create_org(self, org: Org, service_account_key: str | None) -> Org:
        """Create an org; Conflict when its id exists."""
        if not DOMAIN.match(org.domain.lower()):
            raise InvalidInput("domain must be a DNS domain such as example.com")
        org = replace(org, domain=org.domain.lower(), created_at=self._clock.now())
        self._orgs.put_org(org, service_account_key, create=True)
        return org

    def require_org(self, org_id: str) -> Org:
        """The org, or NotFound."""
        org = self._orgs.get_org(org_id)
        if org is None:
            raise NotFound(f"no org {org_id!r}")
        return org

    def update_org(self, org: Org, service_account_key: str | None) -> Org:
        """Replace an org's settings (the key only when a new one is given)."""
        self._orgs.put_org(org, service_account_key)
        return org

    # ------------------------------------------------------------ principals

    def require_principal(self, org_id: str, email: str) -> Principal:
        """The principal with this email (a deactivated one too, until it is purged), or NotFound."""
        self.require_org(org_id)
        if not EMAIL.match(email):
            raise InvalidInput("not an email address")
        principal = self._principals.find_principal(org_id, email)
        if principal is None:
            raise NotFound("no such principal in this org")
        return principal

    def require_live(self, org_id: str, email: str) -> Principal:
        """The principal with this email unless it is deactivated (Conflict then), or NotFound."""
        principal = self.require_principal(org_id, email)
        if principal.state is PrincipalState.DEACTIVATED:
            raise Conflict("this principal is deactivated: activate it again first")
        return principal

    @property
    def devices(self) -> DeviceService:
        """Device management of rooms."""
        return DeviceService(self._devices, self._clock, self.require_live)

    def activate(self, org_id: str, email: str, kind: PrincipalKind, devices: list[str]) -> ActivationResult:
        """Register a principal as pending and queue its validation."""
        org = self.require_org(org_id)
        if not EMAIL.match(email):
            raise InvalidInput("email is not a valid address")
        if devices and kind is not PrincipalKind.ROOM:
            raise InvalidInput("only rooms have devices")
        existing = self._principals.find_principal(org_id, email)
        if existing is not None and existing.state is not PrincipalState.DEACTIVATED:
            raise Conflict(f"this principal is already {existing.state.value}")
        now = self._clock.now()
        principal = Principal(
            org_id=org.id,
            id=self._principals.principal_id(org.id, email),
            email=email.lower(),
            kind=kind,
            state=PrincipalState.PENDING,
            updated_at=now,
        )
        self._principals.put_principal(principal)
        result = ActivationResult(principal)
        for name in devices:
            device, token = new_device(principal, name, now)
            self._devices.put_device(device)
            result.device_tokens[device.id] = token
            result.device_names[device.id] = name
        self._queue(org.id, principal.id, "activate")
        return result

    def revalidate(self, org_id: str, email: str) -> Principal:
        """Queue validation again (from active or error)."""
        principal = self.require_live(org_id, email)
        if principal.state is PrincipalState.VALIDATING:
            raise Conflict("validation is already running")
        self._queue(org_id, principal.id, "revalidate")  # validation there asks Google for fresh tokens
        return principal

    def deactivate(self, org_id: str, email: str, actor: str = "admin") -> Principal:
        """Record who asked, and queue deactivation."""
        found = self.require_live(org_id, email)
        # Compare-and-set: a validation finishing meanwhile keeps its state, and this request is not lost.
        principal = self._principals.update_principal(
            org_id, found.id, lambda p: replace(p, deactivated_by=actor[:254])
        )
        if principal is None:
            raise NotFound("no such principal")
        self._queue(org_id, principal.id, "deactivate")
        return principal

    def purge(self, org_id: str, email: str) -> Principal:
        """Delete a deactivated principal's record for good; Conflict while it is not deactivated.

        What work in flight wrote for it since its deactivation goes first: once the record is gone,
        deactivation's second pass no longer looks at it."""
        principal = self.require_principal(org_id, email)
        if principal.state is not PrincipalState.DEACTIVATED:
            raise Conflict(f"this principal is {principal.state.value}: deactivate it first")
        self._principals.destroy_principal_data(org_id, principal.id)
        self._principals.delete_principal(org_id, principal.id)
        log.info("principal purged", extra=ctx(org=org_id, principal=principal.id))
        return principal

    def _queue(self, org_id: str, principal_id: str, action: str) -> None:
        self._bus.send(ProvisionUser(org_id=org_id, principal_id=principal_id, action=action))

    # ------------------------------------------------------------ provision_user

    def run(self, message: ProvisionUser, delivery_attempt: int = 1) -> Principal | None:
        """Carry out one queued action."""
        org = self.require_org(message.org_id)
        principal = self._principals.get_principal(message.org_id, message.principal_id)
        if principal is None:
            raise NotFound("no such principal")
        if message.action == "deactivate":
            return self._deactivate(org, principal, delivery_attempt)
        if message.action == "revalidate":
            self._validator.forget_tokens(org, principal)
        elif message.action != "activate":
            raise InvalidInput(f"unknown action {message.action!r}")
        return self._validate(org, principal, delivery_attempt)

    def _save(self, principal: Principal) -> Principal:
        self._principals.put_principal(principal)
        return principal

    def _save_keeping_request(self, principal: Principal) -> Principal:
        """Save a validation result without losing a deactivation request recorded meanwhile (compare-and-set)."""
        saved = self._principals.update_principal(
            principal.org_id,
            principal.id,
            lambda current: replace(principal, deactivated_by=current.deactivated_by or principal.deactivated_by),
        )
        return saved if saved is not None else self._save(principal)

    def _validate(self, org: Org, principal: Principal, attempt: int) -> Principal | None:
        if principal.state is PrincipalState.DEACTIVATED:
            return None
        now = self._clock.now()
        if principal.state is not PrincipalState.VALIDATING:
            principal = self._save_keeping_request(principal.transition(PrincipalState.VALIDATING, at=now))
        if not org.owns_principal(principal.email, principal.kind):
            return self._fail(org, principal, ErrorReason.EMAIL_MISMATCH, f"the org's domain is {org.domain}")
        try:
            result = self._validator.validate(org, principal)
        except RetryableError:
            if attempt >= self._max_attempts:
                detail = f"Google was unavailable on {attempt} attempts; revalidate to try again"
                return self._fail(org, principal, ErrorReason.UNAVAILABLE, detail)
            log.info("validation deferred", extra=ctx(org=org.id, principal=principal.id, attempt=attempt))
            raise
        if result.reason is not None and result.reason is not ErrorReason.GMAIL_SCOPE_MISSING:
            return self._fail(org, principal, result.reason, result.detail)
        principal = replace(
            principal,
            presence_enabled=result.presence_enabled,
            locale=result.locale or principal.locale,
            time_zone=result.time_zone or principal.time_zone,
            name=result.name or principal.name,
        )
        active = principal.transition(PrincipalState.ACTIVE, at=now)
        if result.reason is ErrorReason.GMAIL_SCOPE_MISSING:
            active = replace(active, reason=result.reason, detail=result.detail)
        self._save_keeping_request(active)
        self._stop_channels(org, active)  # a revalidation opens one fresh channel, never a second one
        self._activation.after_validation(org, active)
        return self._principals.get_principal(org.id, active.id)

    def _fail(self, org: Org, principal: Principal, reason: ErrorReason, detail: str | None) -> Principal:
        """Move a validating principal to error; its channels stop, so nothing more is synced."""
        log.info("validation failed", extra=ctx(org=org.id, principal=principal.id, reason=reason.value))
        failed = self._save_keeping_request(
            principal.transition(PrincipalState.ERROR, reason=reason, detail=detail, at=self._clock.now())
        )
        self._stop_channels(org, failed)
        return failed

    def _stop_channels(self, org: Org, principal: Principal) -> None:
        """Stop the principal's open channels, best effort (a failed stop is retried by the next one)."""
        if not any(c.state is ChannelState.ACTIVE for c in self._channels.channels_of(org.id, principal.id)):
            return
        with contextlib.suppress(HybridCalendarError):
            self._activation.before_deactivation(org, principal)

    def _deactivate(self, org: Org, principal: Principal, attempt: int) -> Principal:
        if principal.state is PrincipalState.DEACTIVATED:
            return principal
        try:
            self._activation.before_deactivation(org, principal)
        except RetryableError:
            if attempt < self._max_attempts:
                raise
        except HybridCalendarError:  # e.g. delegation revoked: the data goes regardless
            log.info("channels not stopped at Google", extra=ctx(org=org.id, principal=principal.id))
        mark_channels_stopped(self._channels, org.id, principal.id)
        self._principals.destroy_principal_data(org.id, principal.id)
        now = self._clock.now()
        done = principal.transition(PrincipalState.DEACTIVATED, at=now)
        by = principal.deactivated_by or "admin"
        log.info("principal deactivated", extra=ctx(org=org.id, principal=principal.id))
        return self._save(
            replace(
                done, last_sync=None, channel_expiry=None, detail=None, locale=None, time_zone=None,
                presence_enabled=False, deactivated_at=now, deactivated_by=by,
            )
        )  # fmt: skip
