"""Noticing a delegation revoked at Google at once, and a light re-validation of quiet principals.

When Google refuses a principal's call (401, or a 403 that is not a rate limit: a revoked
domain-wide delegation, a suspended account), :meth:`DelegationWatch.refused` drops the
principal's cached tokens and validates it again right away: a refusal that stands moves it to
``error`` with the exact reason and hint (its channels are stopped, best effort) and raises one
alert; a Gmail-only refusal keeps it active with presence off (``gmail_scope_missing``), as
validation does. :meth:`light_check` (run by each maintenance) does the same for active
principals with no successful sync and no light check for ``LIGHT_CHECK_AFTER``, so a quiet calendar's revoked
delegation is found within a maintenance period rather than when someone next edits it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from msgspec.structs import replace

from shared.domain.health import LIGHT_CHECK_AFTER
from shared.domain.principals import ErrorReason, Org, Principal, PrincipalState
from shared.errors import HybridCalendarError, RetryableError
from shared.logs import ctx, get_logger
from shared.ports import Stores
from shared.ports.clock import Clock
from shared.ports.directory import PrincipalValidator
from shared.ports.health import HealthRecords
from shared.services.health import HealthService

log = get_logger(__name__)


class DelegationWatch:
    """Turns Google's refusals into a principal's error state and an alert."""

    def __init__(
        self,
        stores: Stores,
        validator: PrincipalValidator,
        clock: Clock,
        health: HealthService,
        stop_channels: Callable[[Org, Principal], object],
        records: HealthRecords,
    ) -> None:
        self._stores, self._validator, self._clock, self._health = stores, validator, clock, health
        self._records = records
        self._stop_channels = stop_channels

    def refused(self, org: Org, principal: Principal, error: HybridCalendarError) -> Principal | None:
        """Google refused one of ``principal``'s calls: re-validate now; return the principal if it changed."""
        log.info(
            "google refused a call: revalidating", extra=ctx(org=org.id, principal=principal.id, error_code=error.code)
        )
        return self._check(org, principal)

    def refused_by_id(self, org_id: str, principal_id: str, error: HybridCalendarError) -> Principal | None:
        """:meth:`refused` for a principal named by ids (a message's); nothing unless it is active."""
        org = self._stores.orgs.get_org(org_id)
        principal = self._stores.principals.get_principal(org_id, principal_id)
        if org is None or principal is None or not principal.active:
            return None
        return self.refused(org, principal, error)

    def light_check(self) -> int:
        """Re-validate active principals with no successful sync (nor light check) for a while; return how many."""
        now = self._clock.now()
        checked = 0
        for org in self._stores.orgs.list_orgs():
            for principal in self._stores.principals.list_principals(org.id, active_only=True):
                state, _ = self._stores.sync_states.get_sync_state(org.id, principal.id)
                if state.last_sync is not None and now - state.last_sync < LIGHT_CHECK_AFTER:
                    continue
                last = self._records.last_checked(org.id, principal.id)
                if last is not None and now - last < LIGHT_CHECK_AFTER:
                    continue
                self._records.note_checked(org.id, principal.id, now)
                checked += 1
                try:
                    self._check(org, principal)
                except HybridCalendarError as exc:
                    log.warning(
                        "light check failed", extra=ctx(org=org.id, principal=principal.id, error_code=exc.code)
                    )
        return checked

    def _check(self, org: Org, principal: Principal) -> Principal | None:
        self._validator.forget_tokens(org, principal)
        try:
            result = self._validator.validate(org, principal)
        except RetryableError:
            return None  # Google unavailable: the next refusal or check tries again
        if result.reason is None:
            return None
        now = self._clock.now()
        if result.reason is ErrorReason.GMAIL_SCOPE_MISSING:
            if principal.reason is ErrorReason.GMAIL_SCOPE_MISSING and not principal.presence_enabled:
                return None

            def limit(p: Principal) -> Principal:
                if not p.active:
                    return p
                return replace(p, reason=result.reason, detail=result.detail, presence_enabled=False, updated_at=now)

            return self._stores.principals.update_principal(org.id, principal.id, limit)

        def fail(p: Principal) -> Principal:
            if not p.active:
                return p
            checking = p.transition(PrincipalState.VALIDATING, at=now)
            return checking.transition(PrincipalState.ERROR, reason=result.reason, detail=result.detail, at=now)

        failed = self._stores.principals.update_principal(org.id, principal.id, fail)
        if failed is None or failed.state is not PrincipalState.ERROR:
            return failed
        log.info(
            "principal moved to error",
            extra=ctx(org=org.id, principal=principal.id, reason=failed.reason.value if failed.reason else None),
        )
        with contextlib.suppress(HybridCalendarError):  # Google refuses this principal now: best effort
            self._stop_channels(org, failed)
        self._health.principal_error(failed)
        return failed
