"""Join details from a keyword: write, replace or remove the block on the organiser's event.

Loop-free and idempotent: the private properties record the keyword (``hcRewrite``), the
provider, its meeting reference and a hash of the block, so the notification our own PATCH
causes finds nothing to do, and redeliveries patch nothing. Only the organiser's copy is ever
patched, with If-Match on the etag just read; a 412 re-reads and recomputes, a bounded number
of times. Every decision is recorded per meeting for the admin API.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared.clock import Clock
from shared.domain.agenda import looks_like_html
from shared.domain.decisions import NOT_ORGANISER, ORGANISER_OUTSIDE_ORG
from shared.domain.events import CalendarEvent
from shared.domain.joinblock import has_block, replace_block
from shared.domain.joindetails import block_hash, render_block
from shared.domain.keywords import find_keyword
from shared.domain.normalise import REWRITE_PROPERTY, meeting_from_event
from shared.domain.principals import Org, Principal, PrincipalKind
from shared.errors import InvalidInput, PermanentError, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports import ConferencingProvider, EventEditor, Stores

log = get_logger(__name__)
MAX_DESCRIPTION = 8192
ATTEMPTS = 3
PROVIDER_PROP, REF_PROP, HASH_PROP = "hcProvider", "hcMeetingRef", "hcBlockHash"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the rewrite decided for one event."""

    outcome: str  # added | replaced | removed | unchanged | skipped
    reason: str | None = None


class RewriteService:
    """Keeps the join block of organisers' events in step with the keyword in their location."""

    def __init__(
        self,
        stores: Stores,
        editors: Callable[[Org, Principal], EventEditor],
        providers: Callable[[Org, str], ConferencingProvider],
        clock: Clock,
    ) -> None:
        self._stores, self._editors, self._providers, self._clock = stores, editors, providers, clock

    def rewrite(self, org_id: str, principal_id: str, event_id: str) -> Decision:
        """Bring one event's join block in line with its keyword; record the decision."""
        org = self._stores.get_org(org_id)
        principal = self._stores.get_principal(org_id, principal_id)
        if org is None or principal is None or not principal.active:
            return self._record(org_id, principal_id, event_id, Decision("skipped", "principal_not_active"))
        if principal.kind is not PrincipalKind.PERSON:
            return self._record(org_id, principal_id, event_id, Decision("skipped", NOT_ORGANISER))
        editor = self._editors(org, principal)
        for _ in range(ATTEMPTS):
            event = self._owner_of_keyword(org, principal, editor, editor.read(principal.email, event_id))
            try:
                decision = self._once(org, principal, editor, event)
            except PreconditionFailed:
                continue
            return self._record(org_id, principal_id, event_id, decision)
        return self._record(org_id, principal_id, event_id, Decision("skipped", "conflict"))

    def _owner_of_keyword(
        self, org: Org, principal: Principal, editor: EventEditor, event: CalendarEvent
    ) -> CalendarEvent:
        """An instance that only inherits its series' keyword is handled on the master."""
        if event.recurring_event_id is None or event.cancelled:
            return event
        master = editor.read(principal.email, event.recurring_event_id)
        same = find_keyword(master.location, org.keywords) == find_keyword(event.location, org.keywords)
        return master if same and not master.cancelled else event

    def _once(self, org: Org, principal: Principal, editor: EventEditor, event: CalendarEvent) -> Decision:
        if event.cancelled:
            return self._release(org, principal, event, Decision("skipped", "cancelled"))
        if not event.organizer_self:
            return Decision("skipped", NOT_ORGANISER)
        if event.organizer_email and not org.owns(event.organizer_email):
            return Decision("skipped", ORGANISER_OUTSIDE_ORG)
        keyword = find_keyword(event.location, org.keywords)
        props = dict(event.private_properties)
        html = looks_like_html(event.description)
        if keyword is None:
            if not has_block(event.description) and REWRITE_PROPERTY not in props:
                return Decision("skipped", "no_keyword")
            self._release(org, principal, event, Decision("removed"))
            self._patch(
                editor,
                principal,
                event,
                org,
                replace_block(event.description, None, html=html),
                {REWRITE_PROPERTY: None, PROVIDER_PROP: None, REF_PROP: None, HASH_PROP: None},
            )
            return Decision("removed")
        action = org.keywords[keyword]
        provider = self._providers(org, action)
        try:
            meeting = meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
        except InvalidInput:
            return Decision("skipped", "no_times")
        same_provider = props.get(PROVIDER_PROP) == provider.name and props.get(REWRITE_PROPERTY) == keyword
        try:
            details = provider.join_details(
                org, principal, meeting, action, props.get(REF_PROP) if same_provider else None
            )
        except PermanentError as exc:
            log.warning("provider refused", extra=ctx(org=org.id, provider=provider.name, error_code=exc.code))
            return Decision("skipped", f"provider_refused:{exc.code}")
        block = render_block(details, principal.locale or org.default_locale, html=html)
        description = replace_block(event.description, block, html=html)
        wanted = {
            REWRITE_PROPERTY: keyword,
            PROVIDER_PROP: provider.name,
            REF_PROP: details.reference,
            HASH_PROP: block_hash(block),
        }
        if description == event.description and all(props.get(k) == v for k, v in wanted.items()):
            return Decision("unchanged")
        if len(description) > MAX_DESCRIPTION:
            return Decision("skipped", "too_large")
        outcome = "replaced" if has_block(event.description) or REWRITE_PROPERTY in props else "added"
        if props.get(REF_PROP) and props.get(REF_PROP) != details.reference:
            self._providers(org, props.get(PROVIDER_PROP) or action).release(org, principal, props[REF_PROP])
        self._patch(editor, principal, event, org, description, wanted)
        return Decision(outcome)

    def _patch(
        self,
        editor: EventEditor,
        principal: Principal,
        event: CalendarEvent,
        org: Org,
        description: str,
        private: Mapping[str, str | None],
    ) -> None:
        editor.write_join(
            principal.email,
            event.id,
            description=description,
            private=private,
            etag=event.etag,
            send_updates=org.send_updates,
        )
        log.info("join details written", extra=ctx(org=org.id, principal=principal.id, event=event.id))

    def _release(self, org: Org, principal: Principal, event: CalendarEvent, decision: Decision) -> Decision:
        props = event.private_properties
        ref, provider = props.get(REF_PROP), props.get(PROVIDER_PROP)
        if ref and provider:
            with contextlib.suppress(InvalidInput):
                self._providers(org, provider).release(org, principal, ref)
        return decision

    def _record(self, org_id: str, principal_id: str, event_id: str, decision: Decision) -> Decision:
        self._stores.record_decision(
            org_id, principal_id, event_id, decision.outcome, decision.reason, self._clock.now()
        )
        return decision
