"""Calendar v3 beyond events, as a base of ``GoogleCalendar``: ``settings.get``, ``calendars.get``,
``acl.list`` / ``acl.insert`` / ``acl.delete`` and ``freebusy.query``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from shared.clock import utc


def rfc3339(value: datetime) -> str:
    """An aware datetime as Google's RFC 3339 text in UTC."""
    return utc(value).isoformat().replace("+00:00", "Z")


class CalendarExtras:
    """Settings, ACL and free/busy; the subclass supplies ``_call``, ``_url`` and ``_base``."""

    _base: str

    def _call(self, operation: str, method: str, url: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _url(self, *parts: str) -> str:
        raise NotImplementedError

    def get_setting(self, setting_id: str) -> str:
        """``settings.get``: one user setting's value (``locale``, ``timezone``, ...)."""
        answer = self._call(
            "settings.get", "GET", self._url("users", "me", "settings", setting_id), params=[("fields", "value")]
        )
        return str((answer or {}).get("value") or "")

    def get_calendar(self, calendar_id: str) -> Mapping[str, Any]:
        """``calendars.get``: the calendar's name (``summary``) and ``timeZone``."""
        url = self._url("calendars", calendar_id)
        return dict(self._call("calendars.get", "GET", url, params=[("fields", "id,summary,timeZone")]) or {})

    def list_acl(self, calendar_id: str) -> list[Mapping[str, Any]]:
        """``acl.list``: every rule of a calendar (one page of up to 250; delegates are few)."""
        params = [("maxResults", "250"), ("fields", "items(id,role,scope)")]
        answer = self._call("acl.list", "GET", self._url("calendars", calendar_id, "acl"), params=params) or {}
        return [dict(r) for r in answer.get("items") or () if isinstance(r, Mapping)]

    def insert_acl(
        self,
        calendar_id: str,
        role: str,
        scope_type: str,
        scope_value: str | None = None,
        *,
        send_notifications: bool = False,
    ) -> Mapping[str, Any]:
        """``acl.insert``: grant ``role`` to a user, group, domain or everyone; returns the rule (``id``)."""
        scope: dict[str, str] = {"type": scope_type}
        if scope_value is not None:
            scope["value"] = scope_value
        params = [("sendNotifications", "true" if send_notifications else "false")]
        url = self._url("calendars", calendar_id, "acl")
        return dict(self._call("acl.insert", "POST", url, params=params, body={"role": role, "scope": scope}) or {})

    def delete_acl(self, calendar_id: str, rule_id: str) -> None:
        """``acl.delete``."""
        self._call("acl.delete", "DELETE", self._url("calendars", calendar_id, "acl", rule_id))

    def free_busy(
        self, calendar_ids: Iterable[str], time_min: datetime, time_max: datetime
    ) -> dict[str, tuple[tuple[datetime, datetime], ...] | None]:
        """``freebusy.query``: busy intervals per calendar (None where Google reports an error)."""
        ids = list(calendar_ids)
        body = {"timeMin": rfc3339(time_min), "timeMax": rfc3339(time_max), "items": [{"id": i} for i in ids]}
        answer = self._call("freebusy.query", "POST", self._base + "/freeBusy", body=body) or {}
        calendars = answer.get("calendars") or {}
        out: dict[str, tuple[tuple[datetime, datetime], ...] | None] = {}
        for cal_id in ids:
            entry = calendars.get(cal_id)
            if not isinstance(entry, Mapping) or entry.get("errors"):
                out[cal_id] = None
                continue
            out[cal_id] = tuple(
                (utc(datetime.fromisoformat(b["start"])), utc(datetime.fromisoformat(b["end"])))
                for b in entry.get("busy") or ()
            )
        return out
