"""Who sees a join button when, and the process-wide wake-up the meeting streams wait on.

``eligible`` is the rule the dispatcher, the meeting list and the pages share: a meeting with a
join target, not cancelled, not all-day, not declined, from its lead time (the org's; a room may
override it) until it ends; ``newest_per_recipient`` ranks the notices a corrections pass compares.
:class:`Broadcaster` only wakes streams early; they read the store.
"""

from __future__ import annotations

import threading
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


class Broadcaster:
    """Wakes waiting streams when something may have changed (process-wide, best effort)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._active = 0
        self.closed = False

    @property
    def active(self) -> int:
        """How many streams are open."""
        with self._cond:
            return self._active

    def opened(self, delta: int) -> None:
        """Count a stream opening (+1) or ending (-1)."""
        with self._cond:
            self._active += delta
            self._cond.notify_all()

    def close(self) -> None:
        """End every stream (the process is shutting down)."""
        with self._cond:
            self.closed = True
            self._generation += 1
            self._cond.notify_all()

    @property
    def generation(self) -> int:
        """How many wake-ups happened so far."""
        with self._cond:
            return self._generation

    def notify(self, *_: object) -> None:
        """Wake every waiting stream."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until the generation passes ``seen`` or ``timeout`` seconds pass; return it."""
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout=timeout)
            return self._generation


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
