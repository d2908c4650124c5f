"""Who sees a join button when.

``eligible`` is the rule the dispatcher, the meeting list and the pages share: a meeting with a
join target, not cancelled, not all-day, not declined, from its lead time (the org's; a room may
override it) until it ends; ``newest_per_recipient`` ranks the notices a corrections pass compares.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from shared.domain.meetings import Meeting, ResponseStatus
from shared.domain.presence import NoticeKind
from shared.domain.principals import Org, Principal, PrincipalKind
from shared.ports.principal_heads import Calendar
from shared.ports.stores import NoticeHead

GRACE = timedelta(minutes=10)
"""A meeting that started up to this long ago still gets its button (a missed run)."""
_KIND_ORDER = {
    NoticeKind.JOIN: 0,
    NoticeKind.MOVED: 1,
    NoticeKind.UPDATED: 2,
    NoticeKind.REMOVED: 3,
    NoticeKind.CANCELLED: 4,
}


def lead_for(org: Org, principal: Calendar) -> timedelta:
    """The lead time for a calendar: the org's, or the room's override."""
    if principal.kind is PrincipalKind.ROOM and principal.join_lead_override is not None:
        return principal.join_lead_override
    return org.join_lead


def max_lead(org: Org, calendars: Iterable[Calendar]) -> timedelta:
    """The longest lead time of an org's calendars (how far ahead the dispatcher looks)."""
    rooms = (
        p.join_lead_override for p in calendars if p.kind is PrincipalKind.ROOM and p.join_lead_override is not None
    )
    return max((org.join_lead, *rooms))


def declined(meeting: Meeting, principal: Principal) -> bool:
    """True when ``principal`` declined ``meeting``."""
    me = principal.email.lower()
    return any(a.email.lower() == me and a.response_status is ResponseStatus.DECLINED for a in meeting.attendees)


def eligible(meeting: Meeting, org: Org, principal: Principal, now: datetime) -> bool:
    """Whether ``meeting`` on ``principal``'s calendar shows a join button at ``now``."""
    if meeting.primary_join_target is None or meeting.cancelled or meeting.all_day or declined(meeting, principal):
        return False
    return meeting.start - lead_for(org, principal) <= now < meeting.end


def newest_per_recipient(heads: list[NoticeHead]) -> dict[str, NoticeHead]:
    """Each recipient's newest notice of each meeting (by send time, then the later kind), by ``key``."""
    latest: dict[str, NoticeHead] = {}
    for head in heads:
        current = latest.get(head.key)
        if current is None or (head.sent_at, _KIND_ORDER[head.kind]) > (current.sent_at, _KIND_ORDER[current.kind]):
            latest[head.key] = head
    return latest
