"""The clock port: the only way services learn the time (``shared.clock`` has the implementations)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time."""

    def now(self) -> datetime:
        """Return the current time, aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Return a monotonic reading in seconds, for durations and deadlines."""
        ...
