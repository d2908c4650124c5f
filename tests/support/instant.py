"""The tests' fixed instant ``T0``: every injected clock (service, emulator, browser) starts there.

``T0`` is Tuesday 2026-11-24 09:00 UTC. ``HYBRIDCAL_TEST_T0=YYYY-MM-DD`` moves it to 09:00 UTC on
another day, to check that no test depends on the day it runs (the real hour never matters: no
test reads the real clock)::

    HYBRIDCAL_TEST_T0=2028-01-05 make pytest

The hour stays 09:00 UTC because the scenarios are a working morning: they schedule meetings
minutes and hours after ``T0`` and expect them on the same day in every zone the tests use.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

DEFAULT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
VARIABLE = "HYBRIDCAL_TEST_T0"


def parse(raw: str | None) -> datetime:
    """09:00 UTC on the day ``raw`` names (``YYYY-MM-DD``), or :data:`DEFAULT` when it is empty."""
    if not raw:
        return DEFAULT
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{VARIABLE} must be a date (YYYY-MM-DD), not {raw!r}") from None
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


T0 = parse(os.environ.get(VARIABLE))


def z(value: datetime) -> str:
    """``value`` in UTC as Google writes it: ``2026-11-24T09:00:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
