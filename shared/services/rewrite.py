"""Join details from a keyword: write, replace or remove the block on the organiser's event.

Loop-free and idempotent: the private properties record the keyword (``hcRewrite``), the
provider, its meeting reference, a hash of the block and the event they were written for
(``hcEventId``), so the notification our own PATCH causes finds nothing to do, and redeliveries
patch nothing. Only the organiser's copy is ever patched, with If-Match on the etag just read; a
412 re-reads and recomputes, a bounded number of times. Every decision is recorded per meeting,
with the meeting the event now holds, in the record the add-on's conference route shares.

An event that carries the service's add-on conference has its meeting there (Calendar shows it
as the join chip and puts it in the invitation): a keyword on it writes no block, and a block
written before the conference came is removed, so the event holds one meeting, shown once
(``rewrite_conference``). A meeting is only reused or released by the event it was made for
(``shared.domain.conference``): a duplicated event gets its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime

import msgspec

from shared.domain.agenda import looks_like_html
from shared.domain.conference import (
    CONFERENCE_PROPERTY,
    EVENT_PROPERTY,
    PROVIDER_PROPERTY,
    REF_PROPERTY,
    MeetingRecord,
    OwnedMeetings,
    fingerprint,
    service_conference,
)
from shared.domain.decisions import NOT_ORGANISER, ORGANISER_OUTSIDE_ORG
from shared.domain.events import CalendarEvent
from shared.domain.joinblock import has_block, replace_block
from shared.domain.joindetails import block_hash, render_block
from shared.domain.keywords import find_keyword
from shared.domain.normalise import REWRITE_PROPERTY, meeting_from_event
from shared.domain.principals import Org, Principal, PrincipalKind, PrincipalState
from shared.errors import InvalidInput, PermanentError, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports import ConferencingProviders, MeetingRecordStore
from shared.ports.calendar import JoinDetailEditor, JoinWrite
from shared.ports.clock import Clock
from shared.ports.stores import OrgRepository, PrincipalRepository

log = get_logger(__name__)
MAX_DESCRIPTION = 8192
ATTEMPTS = 3
PROVIDER_PROP, REF_PROP, HASH_PROP = PROVIDER_PROPERTY, REF_PROPERTY, "hcBlockHash"
ALL_PROPS = (REWRITE_PROPERTY, PROVIDER_PROP, REF_PROP, HASH_PROP, EVENT_PROPERTY, CONFERENCE_PROPERTY)


class Decision(msgspec.Struct, frozen=True):
    """What the rewrite decided for one event, and the meeting the event holds afterwards."""

    outcome: str  # added | replaced | removed | unchanged | skipped
    reason: str | None = None
    meeting: MeetingRecord | None = None
    keep_until: datetime | None = None


class RewriteService:
    """Keeps the join block of organisers' events in step with the keyword in their location."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        calendar: JoinDetailEditor,
        providers: ConferencingProviders,
        clock: Clock,
        records: MeetingRecordStore,
    ) -> None:
        self._orgs, self._principals = orgs, principals
        self.calendar, self.clock = calendar, clock
        self.providers, self.records = providers, records

    def rewrite(self, org_id: str, principal_id: str, event_id: str) -> Decision:
        """Bring one event's join block in line with its keyword; record the decision."""
        org = self._orgs.get_org(org_id)
        principal = self._principals.get_principal(org_id, principal_id)
        if org is None or principal is None or principal.state is PrincipalState.DEACTIVATED:
            # Nobody to show a decision to, or one whose data deactivation destroyed: recording would make
            # key material and a decision under their name again. A late or stray message leaves nothing.
            log.info("rewrite skipped: no active calendar", extra=ctx(org=org_id, principal=principal_id))
            return Decision("skipped", "principal_not_active")
        if not principal.active:  # pending, validating or in error: the admin sees why nothing was written
            return self._record(org_id, principal_id, event_id, Decision("skipped", "principal_not_active"))
        if principal.kind is not PrincipalKind.PERSON:
            return self._record(org_id, principal_id, event_id, Decision("skipped", NOT_ORGANISER))
        for _ in range(ATTEMPTS):
            read = self.calendar.read_event(org, principal, principal.email, event_id)
            event = self._owner_of_keyword(org, principal, read)
            try:
                decision = self._once(org, principal, event)
            except PreconditionFailed:
                continue
            return self._record(org_id, principal_id, event.id, decision)
        return self._record(org_id, principal_id, event_id, Decision("skipped", "conflict"))

    def _owner_of_keyword(self, org: Org, principal: Principal, event: CalendarEvent) -> CalendarEvent:
        """An instance that only inherits its series' keyword is handled on the master."""
        if event.recurring_event_id is None or event.cancelled:
            return event
        master = self.calendar.read_event(org, principal, principal.email, event.recurring_event_id)
        same = find_keyword(master.location, org.keywords) == find_keyword(event.location, org.keywords)
        return master if same and not master.cancelled else event

    def _once(self, org: Org, principal: Principal, event: CalendarEvent) -> Decision:
        held = self.records.get(org.id, principal.id, event.id)
        reserved = held if held is not None and held.state == "reserved" else None
        props = dict(event.private_properties)
        owned = OwnedMeetings.of(event, props)
        if event.cancelled:
            extra = (held_item(reserved),) if reserved and held_item(reserved) not in owned.items else ()
            self.release(org, principal, owned.items + extra)
            return Decision("skipped", "cancelled", released(held))
        if not event.organizer_self:
            return Decision("skipped", NOT_ORGANISER)
        if event.organizer_email and not org.owns(event.organizer_email):
            return Decision("skipped", ORGANISER_OUTSIDE_ORG)
        keyword = find_keyword(event.location, org.keywords)
        conference = service_conference(event)
        if conference is not None:
            from shared.services.rewrite_conference import with_conference

            return with_conference(self, org, principal, event, conference, keyword, held)
        html = looks_like_html(event.description)
        if keyword is None:
            if not has_block(event.description) and not any(p in props for p in ALL_PROPS):
                return Decision("skipped", "no_keyword")
            self.release(org, principal, owned.items)
            self.patch(principal, event, org, replace_block(event.description, None, html=html), cleared())
            mine = held is not None and held.live and held_item(held) in owned.items
            return Decision("removed", meeting=released(held) if mine else None)
        action = org.keywords[keyword]
        provider = self.providers(org, action)
        try:
            meeting = meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
        except InvalidInput:
            return Decision("skipped", "no_times")
        existing = owned.ref_for(provider.name) or (
            reserved.details.reference if reserved and reserved.details.provider == provider.name else None
        )
        try:
            details = provider.join_details(org, principal, meeting, action, existing)
        except PermanentError as exc:
            log.warning("provider refused", extra=ctx(org=org.id, provider=provider.name, error_code=exc.code))
            return Decision("skipped", f"provider_refused:{exc.code}")
        # A reservation of another meeting stays on record for the sweep (Calendar may yet save its conference).
        other_reserved = reserved is not None and reserved.details.reference != details.reference
        record = None if other_reserved else MeetingRecord(details, source="keyword", fingerprint=fingerprint(meeting))
        block = render_block(details, principal.locale or org.default_locale, html=html)
        description = replace_block(event.description, block, html=html)
        wanted: dict[str, str | None] = {
            **cleared(),
            REWRITE_PROPERTY: keyword,
            PROVIDER_PROP: provider.name,
            REF_PROP: details.reference,
            HASH_PROP: block_hash(block),
            EVENT_PROPERTY: event.id,
        }
        keep = meeting.expire_at
        if description == event.description and all(props.get(k) == v for k, v in wanted.items()):
            return Decision("unchanged", meeting=record, keep_until=keep)
        if len(description) > MAX_DESCRIPTION:
            return Decision("skipped", "too_large")
        outcome = "replaced" if has_block(event.description) or REWRITE_PROPERTY in props else "added"
        self.release(org, principal, owned.others(details.reference))
        self.patch(principal, event, org, description, wanted)
        return Decision(outcome, meeting=record, keep_until=keep)

    def patch(
        self,
        principal: Principal,
        event: CalendarEvent,
        org: Org,
        description: str,
        private: Mapping[str, str | None],
        *,
        send_updates: str | None = None,
    ) -> None:
        """``events.patch`` of the description and the private properties (None deletes one the event has),
        If-Match on the event's etag."""
        present = event.private_properties
        kept = {k: v for k, v in private.items() if v is not None or k in present}
        write = JoinWrite(description, kept, event.etag, send_updates or org.send_updates)
        self.calendar.write_join(org, principal, principal.email, event.id, write)
        log.info("join details written", extra=ctx(org=org.id, principal=principal.id, event=event.id))

    def release(self, org: Org, principal: Principal, items: tuple[tuple[str, str], ...]) -> None:
        """Release provider meetings (provider name, reference) the event owned."""
        for name, ref in items:
            with contextlib.suppress(InvalidInput):
                self.providers.named(org, name).release(org, principal, ref)

    def _record(self, org_id: str, principal_id: str, event_id: str, decision: Decision) -> Decision:
        self.records.decide(
            org_id,
            principal_id,
            event_id,
            decision.outcome,
            decision.reason,
            self.clock.now(),
            meeting=decision.meeting,
            keep_until=decision.keep_until,
        )
        return decision


def held_item(record: MeetingRecord) -> tuple[str, str]:
    """A held meeting as (provider name, reference)."""
    return record.details.provider, record.details.reference


def released(record: MeetingRecord | None) -> MeetingRecord | None:
    """The held meeting marked released (None when there is none)."""
    if record is None:
        return None
    return MeetingRecord(record.details, record.source, "released", record.solution, record.fingerprint)


def cleared() -> dict[str, str | None]:
    """Every private property of the service, deleted."""
    return dict.fromkeys(ALL_PROPS)
