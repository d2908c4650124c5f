"""Gmail's ``VacationSettings`` resource (``users.settings.getVacation``) to the domain :class:`VacationResponder`.

Only read: the service never writes a responder, so nothing is carried back to Gmail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.domain.vacation import VacationResponder


def _instant(value: Any) -> datetime | None:
    """An epoch-millisecond string (Gmail's ``startTime`` / ``endTime``); None when unset."""
    if value in (None, "", "0", 0):
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def responder_from_api(settings: Mapping[str, Any]) -> VacationResponder:
    """The parts of a VacationSettings resource that decide presence."""
    return VacationResponder(
        enabled=bool(settings.get("enableAutoReply")),
        subject=str(settings.get("responseSubject") or ""),
        start=_instant(settings.get("startTime")),
        end=_instant(settings.get("endTime")),
    )
