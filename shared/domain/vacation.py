"""Deciding out-of-office presence from the Gmail vacation responder and Calendar OOO events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from shared.clock import utc
from shared.domain.meetings import Meeting
from shared.domain.presence import Presence, PresenceSource, PresenceStatus


class VacationResponder(msgspec.Struct, frozen=True):
    """The parts of Gmail's VacationSettings that decide presence."""

    enabled: bool
    subject: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def in_effect(self, now: datetime) -> bool:
        """True while the responder is on and ``now`` is inside its window."""
        now = utc(now)
        return self.enabled and (self.start is None or self.start <= now) and (self.end is None or now < self.end)


def last_responder(stored: Presence | None) -> VacationResponder | None:
    """The vacation responder as the last poll left it in ``stored`` (None: it was not in effect).

    Used when presence is decided again right after a sync, without reading Gmail: the window is
    the stored one (for ``both`` it spans the out-of-office events too); the next poll refines it.
    """
    if stored is None or stored.source not in (PresenceSource.GMAIL_VACATION, PresenceSource.BOTH):
        return None
    return VacationResponder(enabled=True, subject=stored.message, start=stored.since, end=stored.until)


def ooo_events_in_effect(meetings: Sequence[Meeting], now: datetime) -> list[Meeting]:
    """Calendar out-of-office events that cover ``now``."""
    return [m for m in meetings if m.event_type == "outOfOffice" and not m.cancelled and m.start <= now < m.end]


def decide(
    org_id: str, principal_id: str, responder: VacationResponder | None, ooo: Sequence[Meeting], now: datetime
) -> Presence:
    """The presence these sources say, at ``now``."""
    gmail = responder is not None and responder.in_effect(now)
    calendar = bool(ooo)
    if not gmail and not calendar:
        return Presence(org_id=org_id, principal_id=principal_id)
    source = (
        PresenceSource.BOTH
        if gmail and calendar
        else (PresenceSource.GMAIL_VACATION if gmail else PresenceSource.CALENDAR_EVENT)
    )
    since_values: list[datetime] = []
    until_values: list[datetime | None] = []
    message = ""
    if gmail and responder is not None:
        message = responder.subject
        if responder.start is not None:
            since_values.append(responder.start)
        until_values.append(responder.end)
    for event in ooo:
        since_values.append(event.start)
        until_values.append(event.end)
        message = message or event.title
    until = None if any(u is None for u in until_values) else max(u for u in until_values if u is not None)
    return Presence(
        org_id=org_id,
        principal_id=principal_id,
        status=PresenceStatus.OUT_OF_OFFICE,
        message=message,
        since=min(since_values) if since_values else None,
        until=until,
        source=source,
    )
