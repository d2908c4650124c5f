"""App calendar ports: the Calendar operations the meetings app and the delegates list run as the caller."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from shared.domain.principals import Org, Principal


class AppCalendar(Protocol):
    """The Calendar v3 operations the app API uses, acting as the caller."""

    def get_event(self, calendar_id: str, event_id: str, *, fields: str | None = ...) -> Mapping[str, Any]:
        """``events.get``."""
        ...

    def patch_event(
        self,
        calendar_id: str,
        event_id: str,
        body: Mapping[str, Any],
        *,
        etag: str | None,
        send_updates: str = ...,
        conference_data_version: int | None = ...,
    ) -> Mapping[str, Any]:
        """``events.patch`` with If-Match."""
        ...

    def insert_event(
        self,
        calendar_id: str,
        body: Mapping[str, Any],
        *,
        send_updates: str = ...,
        conference_data_version: int | None = ...,
    ) -> Mapping[str, Any]:
        """``events.insert``."""
        ...

    def quick_add(self, calendar_id: str, text: str, *, send_updates: str = ...) -> Mapping[str, Any]:
        """``events.quickAdd``."""
        ...

    def delete_event(self, calendar_id: str, event_id: str, *, send_updates: str = ..., etag: str | None = ...) -> None:
        """``events.delete``."""
        ...

    def free_busy(
        self, calendar_ids: Sequence[str], time_min: datetime, time_max: datetime
    ) -> dict[str, tuple[tuple[datetime, datetime], ...] | None]:
        """``freebusy.query``."""
        ...

    def insert_acl(
        self,
        calendar_id: str,
        role: str,
        scope_type: str,
        scope_value: str | None = ...,
        *,
        send_notifications: bool = ...,
    ) -> Mapping[str, Any]:
        """``acl.insert``."""
        ...

    def delete_acl(self, calendar_id: str, rule_id: str) -> None:
        """``acl.delete``."""
        ...

    def list_acl(self, calendar_id: str) -> Sequence[Mapping[str, Any]]:
        """``acl.list``."""
        ...


class AppDirectory(Protocol):
    """Gives the calendar client acting as one principal (``GoogleCalendarDirectory`` is one)."""

    def calendar_for(self, org: Org, principal: Principal) -> AppCalendar:
        """The client acting for ``principal``."""
        ...


class AclCalendar(Protocol):
    """The ACL read the delegates list needs, acting as the caller."""

    def list_acl(self, calendar_id: str) -> Sequence[Mapping[str, Any]]:
        """``acl.list``."""
        ...
