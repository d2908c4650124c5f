"""The tests' fixed instant ``T0``: every injected clock (service, emulator, browser) starts there.

``T0`` is Tuesday 2026-11-24 09:00 UTC unless ``HYBRIDCAL_TEST_T0`` names another instant
(RFC 3339, or a date for 09:00 UTC that day). Run the suite with another ``T0`` to check that no
test depends on the day or the hour it runs::

    HYBRIDCAL_TEST_T0=2028-01-05T23:30:00Z make pytest
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

DEFAULT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
VARIABLE = "HYBRIDCAL_TEST_T0"


def parse(raw: str | None) -> datetime:
    """The instant ``raw`` names (a date means 09:00 UTC), or :data:`DEFAULT` when it is empty."""
    if not raw:
        return DEFAULT
    if len(raw) == 10:
        return datetime.fromisoformat(raw).replace(hour=9, tzinfo=UTC)
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"{VARIABLE} needs a time-zone offset: {raw!r}")
    return value.astimezone(UTC)


T0 = parse(os.environ.get(VARIABLE))


def z(value: datetime) -> str:
    """``value`` in UTC as Google writes it: ``2026-11-24T09:00:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
