"""The retention window: meetings are kept from 7 days in the past to 31 days in the future.

A meeting is stored only when it overlaps the window ``[now - 7 d, now + 31 d]`` (it ends
after the window opens and starts no later than the window closes), and every stored meeting
expires 7 days after it ends (``expire_at``), which a Firestore TTL policy enforces.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from shared.clock import utc

PAST = timedelta(days=7)
FUTURE = timedelta(days=31)
AFTER_END = timedelta(days=7)


class RetentionWindow(msgspec.Struct, frozen=True):
    """The closed interval of time for which meetings are kept."""

    start: datetime
    end: datetime

    @classmethod
    def at(cls, now: datetime) -> RetentionWindow:
        """Return the window as it stands at ``now``."""
        now = utc(now)
        return cls(start=now - PAST, end=now + FUTURE)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Tell whether a meeting from ``start`` to ``end`` may be stored."""
        start, end = utc(start), utc(end)
        if end < start:
            raise ValueError("a meeting cannot end before it starts")
        return end > self.start and start <= self.end


def expire_at(end: datetime) -> datetime:
    """Return when a meeting that ends at ``end`` must be gone (the TTL field)."""
    return utc(end) + AFTER_END
