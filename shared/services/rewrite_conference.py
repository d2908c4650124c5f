"""The rewrite of an event that carries the service's add-on conference: one meeting, shown once.

Calendar shows the conference as the event's join chip and writes it into the invitation, so the
event's join details are there: a keyword on the same event writes no block (a block written
before the conference came is removed), and a meeting the keyword made for another kind is
released, so the event holds exactly one provider meeting. The private properties record what was
brought in line (``hcConference``, with the keyword in ``hcRewrite``), so the next notification
finds nothing to do; when the patch changes only them, Google is told to notify nobody.

The conference's own meeting is kept in step with the event (a scheduled Webex meeting gets the
event's title and times, also when the add-on made it before Calendar saved the event); that
costs a provider call only when the title or times changed since the meeting was last written.
A conference copied from another event (its parameters name that event) is left alone: it is
neither reused for anything else nor released with this event.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.domain.agenda import looks_like_html
from shared.domain.conference import (
    CONFERENCE_PROPERTY,
    EVENT_PROPERTY,
    PROVIDER_PARAM,
    REF_PARAM,
    SOLUTION_PARAM,
    SOLUTIONS,
    MeetingRecord,
    OwnedMeetings,
    fingerprint,
    owns_conference,
)
from shared.domain.decisions import ADDON_CONFERENCE, ADDON_CONFERENCE_COPIED
from shared.domain.events import AttachedConference, CalendarEvent
from shared.domain.joinblock import has_block, replace_block
from shared.domain.normalise import REWRITE_PROPERTY, meeting_from_event
from shared.domain.principals import Org, Principal
from shared.errors import InvalidInput, PermanentError
from shared.logs import ctx, get_logger
from shared.services.rewrite import PROVIDER_PROP, REF_PROP, Decision, cleared

if TYPE_CHECKING:
    from shared.services.rewrite import RewriteService

log = get_logger(__name__)


def with_conference(
    service: RewriteService,
    org: Org,
    principal: Principal,
    event: CalendarEvent,
    conference: AttachedConference,
    keyword: str | None,
    held: MeetingRecord | None,
) -> Decision:
    """Bring an event with the service's add-on conference in line: no block, one meeting, the marker set."""
    ref, name = conference.parameters[REF_PARAM], conference.parameters[PROVIDER_PARAM]
    own = owns_conference(event, conference)
    props = dict(event.private_properties)
    html = looks_like_html(event.description)
    description = replace_block(event.description, None, html=html)
    wanted = {**cleared(), REWRITE_PROPERTY: keyword, EVENT_PROPERTY: event.id, CONFERENCE_PROPERTY: ref}
    record: MeetingRecord | None = None
    keep: datetime | None = None
    if own:
        wanted.update({PROVIDER_PROP: name, REF_PROP: ref})
        record, keep = _in_step(service, org, principal, event, conference, held)
    reason = ADDON_CONFERENCE if own else ADDON_CONFERENCE_COPIED
    if description == event.description and all(props.get(k) == v for k, v in wanted.items()):
        return Decision("unchanged", reason, record, keep)
    outcome = "replaced" if has_block(event.description) else "added"
    service.release(org, principal, OwnedMeetings.of(event, props).others(ref))
    quiet = "none" if description == event.description else None
    service.patch(principal, event, org, description, wanted, send_updates=quiet)
    return Decision(outcome, reason, record, keep)


def _in_step(
    service: RewriteService,
    org: Org,
    principal: Principal,
    event: CalendarEvent,
    conference: AttachedConference,
    held: MeetingRecord | None,
) -> tuple[MeetingRecord | None, datetime | None]:
    """The conference's meeting with the event's title and times (a provider call only when they changed)."""
    ref, name = conference.parameters[REF_PARAM], conference.parameters[PROVIDER_PARAM]
    solution = conference.parameters.get(SOLUTION_PARAM)
    current = held if held is not None and held.details.reference == ref else None

    def kept(mark: str | None) -> MeetingRecord | None:
        return MeetingRecord(current.details, "addon", "active", solution, mark) if current is not None else None

    try:
        meeting = meeting_from_event(org.id, principal.id, event, keywords=org.keywords)
    except InvalidInput:
        return kept(current.fingerprint if current else None), None
    mark = fingerprint(meeting)
    if current is not None and current.fingerprint == mark:
        return kept(mark), meeting.expire_at
    provider = service.providers.named(org, name)
    try:
        details = provider.join_details(org, principal, meeting, SOLUTIONS.get(solution or "", name), ref)
    except PermanentError as exc:
        log.warning("provider refused", extra=ctx(org=org.id, provider=name, error_code=exc.code))
        return kept(current.fingerprint if current else None), meeting.expire_at
    if details.reference != ref:
        # The provider no longer knows the conference's meeting and made another one; the chip cannot
        # be changed by the service, so the new meeting would be nobody's.
        service.release(org, principal, ((details.provider, details.reference),))
        log.warning("conference meeting gone at the provider", extra=ctx(org=org.id, provider=name, event=event.id))
        return kept(current.fingerprint if current else None), meeting.expire_at
    return MeetingRecord(details, "addon", "active", solution, mark), meeting.expire_at
