"""``GoogleCalendar``: the Calendar v3 client acting as one delegated subject (raw resources, adapter-internal).

The gateway (``gateway.py``) is its one production user and maps what it answers. Operations:
events list (one page, or every page through an iterator; ``syncToken``; ``timeMin``/``timeMax``;
``singleEvents``; ``showDeleted``), instances, get, patch (``If-Match``), insert, quickAdd, delete,
watch, ``channels.stop``, ``settings.get``, ``calendars.get``, ``acl.list``/``insert``/``delete`` and
``freebusy.query``. Reads ask for ``fields=`` trimmed to what the service uses; ``sendUpdates``
follows :data:`SEND_UPDATES` unless the caller says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import msgspec

from shared.adapters.google.acl import rule_to_api
from shared.adapters.google.calendar_settings import CalendarAbout, about_from_api, setting_from_api
from shared.adapters.google.event_times import rfc3339
from shared.adapters.google.freebusy import busy_from_api, query_body
from shared.adapters.google.http import Delegation, GoogleHttp
from shared.errors import InvalidInput, Unavailable
from shared.ports.calendar import AccessRule, Busy, ChannelInfo

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
EVENT_FIELDS = (
    "id,etag,status,summary,description,location,start,end,recurrence,recurringEventId,originalStartTime,"
    "organizer(email,self),attendees(email,responseStatus,resource,organizer,self,optional,displayName),"
    "hangoutLink,conferenceData(entryPoints(entryPointType,uri,label)),extendedProperties,eventType,"
    "transparency,visibility,iCalUID,updated"
)
LIST_FIELDS = f"nextPageToken,nextSyncToken,timeZone,items({EVENT_FIELDS})"
SEND_UPDATES = {"insert": "all", "quickAdd": "none", "patch": "none", "delete": "all"}
_SEND_UPDATES_VALUES = ("all", "externalOnly", "none")


def _send(value: str) -> str:
    if value not in _SEND_UPDATES_VALUES:
        raise InvalidInput(f"sendUpdates must be one of {', '.join(_SEND_UPDATES_VALUES)}")
    return value


class EventPage(msgspec.Struct, frozen=True):
    """One page of ``events.list`` or ``events.instances``, as Google sent it."""

    items: tuple[Mapping[str, Any], ...]
    next_page_token: str | None = None
    next_sync_token: str | None = None


def _page(answer: Any) -> EventPage:
    if not isinstance(answer, Mapping):
        raise Unavailable("events page: the answer is not an object")
    return EventPage(
        items=tuple(answer.get("items") or ()),
        next_page_token=answer.get("nextPageToken") or None,
        next_sync_token=answer.get("nextSyncToken") or None,
    )


class GoogleCalendar:
    """Calendar v3 as one delegated subject, through :class:`GoogleHttp`."""

    def __init__(self, http: GoogleHttp, who: Delegation, base_url: str) -> None:
        self._http = http
        self.who = who
        self._base = base_url.rstrip("/")

    @property
    def subject(self) -> str:
        """The delegated user."""
        return self.who.subject

    def _url(self, *parts: str) -> str:
        return self._base + "".join("/" + quote(p, safe="@") for p in parts)

    def _call(self, operation: str, method: str, url: str, **kwargs: Any) -> Any:
        return self._http.call(f"calendar.{operation}", self.who, method, url, **kwargs)

    # ------------------------------------------------------------------ events.list / instances

    def list_events(
        self,
        calendar_id: str,
        *,
        sync_token: str | None = None,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        page_token: str | None = None,
        single_events: bool = False,
        show_deleted: bool = False,
        max_results: int | None = None,
        order_by: str | None = None,
        fields: str | None = LIST_FIELDS,
    ) -> EventPage:
        """One page of ``events.list`` (incremental with ``sync_token``; 410 → SyncTokenExpired)."""
        if sync_token and (time_min or time_max or order_by):
            raise InvalidInput("a syncToken cannot be combined with timeMin, timeMax or orderBy")
        params: list[tuple[str, str]] = []
        if sync_token:
            params.append(("syncToken", sync_token))
        if time_min is not None:
            params.append(("timeMin", rfc3339(time_min)))
        if time_max is not None:
            params.append(("timeMax", rfc3339(time_max)))
        if single_events:
            params.append(("singleEvents", "true"))
        if show_deleted:
            params.append(("showDeleted", "true"))
        if order_by:
            params.append(("orderBy", order_by))
        if max_results is not None:
            params.append(("maxResults", str(max_results)))
        if page_token:
            params.append(("pageToken", page_token))
        if fields:
            params.append(("fields", fields))
        return _page(self._call("events.list", "GET", self._url("calendars", calendar_id, "events"), params=params))

    def iter_pages(self, calendar_id: str, **options: Any) -> Iterator[EventPage]:
        """Every page of ``events.list``; the last one carries ``next_sync_token``."""
        token: str | None = None
        while True:
            page = self.list_events(calendar_id, page_token=token, **options)
            yield page
            token = page.next_page_token
            if not token:
                return

    def iter_events(self, calendar_id: str, **options: Any) -> Iterator[Mapping[str, Any]]:
        """Every event of ``events.list`` across pages."""
        for page in self.iter_pages(calendar_id, **options):
            yield from page.items

    def instances(
        self,
        calendar_id: str,
        event_id: str,
        *,
        time_min: datetime | None = None,
        time_max: datetime | None = None,
        page_token: str | None = None,
        show_deleted: bool = False,
        max_results: int | None = None,
        fields: str | None = LIST_FIELDS,
    ) -> EventPage:
        """One page of ``events.instances`` of a recurring event."""
        params: list[tuple[str, str]] = []
        if time_min is not None:
            params.append(("timeMin", rfc3339(time_min)))
        if time_max is not None:
            params.append(("timeMax", rfc3339(time_max)))
        if show_deleted:
            params.append(("showDeleted", "true"))
        if max_results is not None:
            params.append(("maxResults", str(max_results)))
        if page_token:
            params.append(("pageToken", page_token))
        if fields:
            params.append(("fields", fields.replace("nextSyncToken,", "")))
        url = self._url("calendars", calendar_id, "events", event_id, "instances")
        return _page(self._call("events.instances", "GET", url, params=params))

    def iter_instances(self, calendar_id: str, event_id: str, **options: Any) -> Iterator[Mapping[str, Any]]:
        """Every instance of a recurring event across pages."""
        token: str | None = None
        while True:
            page = self.instances(calendar_id, event_id, page_token=token, **options)
            yield from page.items
            token = page.next_page_token
            if not token:
                return

    # ------------------------------------------------------------------ single events

    def get_event(self, calendar_id: str, event_id: str, *, fields: str | None = EVENT_FIELDS) -> Mapping[str, Any]:
        """``events.get`` (instance ids of recurring events work too)."""
        params = [("fields", fields)] if fields else None
        answer = self._call("events.get", "GET", self._url("calendars", calendar_id, "events", event_id), params=params)
        return dict(answer or {})

    def patch_event(
        self,
        calendar_id: str,
        event_id: str,
        body: Mapping[str, Any],
        *,
        etag: str | None,
        send_updates: str = SEND_UPDATES["patch"],
        conference_data_version: int | None = None,
    ) -> Mapping[str, Any]:
        """``events.patch`` with ``If-Match: etag`` (a stale etag raises PreconditionFailed)."""
        params = [("sendUpdates", _send(send_updates))]
        if conference_data_version is not None:
            params.append(("conferenceDataVersion", str(conference_data_version)))
        headers = {"If-Match": etag} if etag else None
        url = self._url("calendars", calendar_id, "events", event_id)
        return dict(self._call("events.patch", "PATCH", url, params=params, body=dict(body), headers=headers) or {})

    def insert_event(
        self,
        calendar_id: str,
        body: Mapping[str, Any],
        *,
        send_updates: str = SEND_UPDATES["insert"],
        conference_data_version: int | None = None,
    ) -> Mapping[str, Any]:
        """``events.insert``."""
        params = [("sendUpdates", _send(send_updates))]
        if conference_data_version is not None:
            params.append(("conferenceDataVersion", str(conference_data_version)))
        url = self._url("calendars", calendar_id, "events")
        return dict(self._call("events.insert", "POST", url, params=params, body=dict(body)) or {})

    def quick_add(
        self, calendar_id: str, text: str, *, send_updates: str = SEND_UPDATES["quickAdd"]
    ) -> Mapping[str, Any]:
        """``events.quickAdd``: an event from one line of text."""
        if not text.strip():
            raise InvalidInput("quickAdd needs some text")
        params = [("text", text), ("sendUpdates", _send(send_updates))]
        url = self._url("calendars", calendar_id, "events", "quickAdd")
        return dict(self._call("events.quickAdd", "POST", url, params=params) or {})

    def delete_event(
        self, calendar_id: str, event_id: str, *, send_updates: str = SEND_UPDATES["delete"], etag: str | None = None
    ) -> None:
        """``events.delete`` (a second delete raises NotFound: Google answers 410 ``deleted``)."""
        headers = {"If-Match": etag} if etag else None
        url = self._url("calendars", calendar_id, "events", event_id)
        self._call("events.delete", "DELETE", url, params=[("sendUpdates", _send(send_updates))], headers=headers)

    # ------------------------------------------------------------------ push channels

    def watch(self, calendar_id: str, *, channel_id: str, token: str, address: str, ttl_seconds: int) -> ChannelInfo:
        """``events.watch``: open a web_hook channel to ``address``."""
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "params": {"ttl": str(int(ttl_seconds))},
        }
        answer = self._call("events.watch", "POST", self._url("calendars", calendar_id, "events", "watch"), body=body)
        try:
            return ChannelInfo(
                id=str(answer["id"]),
                resource_id=str(answer["resourceId"]),
                expiration=datetime.fromtimestamp(int(answer["expiration"]) / 1000, tz=UTC),
            )
        except (KeyError, TypeError, ValueError):
            raise Unavailable("calendar.events.watch: the answer lacks id, resourceId or expiration") from None

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """``channels.stop``."""
        self._call(
            "channels.stop", "POST", self._url("channels", "stop"), body={"id": channel_id, "resourceId": resource_id}
        )

    # ------------------------------------------------------------------ settings, ACL, free/busy

    def get_setting(self, setting_id: str) -> str:
        """``settings.get``: one user setting's value (``locale``, ``timezone``, ...)."""
        url = self._url("users", "me", "settings", setting_id)
        return setting_from_api(self._call("settings.get", "GET", url, params=[("fields", "value")]))

    def get_calendar(self, calendar_id: str) -> CalendarAbout:
        """``calendars.get``: the calendar's name (``summary``) and ``timeZone``."""
        url = self._url("calendars", calendar_id)
        return about_from_api(self._call("calendars.get", "GET", url, params=[("fields", "id,summary,timeZone")]))

    def list_acl(self, calendar_id: str) -> list[Mapping[str, Any]]:
        """``acl.list``: every rule of a calendar (one page of up to 250; delegates are few)."""
        params = [("maxResults", "250"), ("fields", "items(id,role,scope)")]
        answer = self._call("acl.list", "GET", self._url("calendars", calendar_id, "acl"), params=params) or {}
        return [dict(r) for r in answer.get("items") or () if isinstance(r, Mapping)]

    def insert_acl(
        self, calendar_id: str, role: str, scope_type: str, scope_value: str | None = None, *, notify: bool = False
    ) -> Mapping[str, Any]:
        """``acl.insert``: grant ``role`` to a user, group, domain or everyone; returns the rule (``id``)."""
        body = rule_to_api(AccessRule("", role, scope_type, scope_value))
        params = [("sendNotifications", "true" if notify else "false")]
        url = self._url("calendars", calendar_id, "acl")
        return dict(self._call("acl.insert", "POST", url, params=params, body=body) or {})

    def delete_acl(self, calendar_id: str, rule_id: str) -> None:
        """``acl.delete``."""
        self._call("acl.delete", "DELETE", self._url("calendars", calendar_id, "acl", rule_id))

    def free_busy(self, calendar_ids: Iterable[str], time_min: datetime, time_max: datetime) -> Busy:
        """``freebusy.query``: busy intervals per calendar (None where Google reports an error)."""
        ids = list(calendar_ids)
        body = query_body(ids, time_min, time_max)
        answer = self._call("freebusy.query", "POST", self._base + "/freeBusy", body=body)
        return busy_from_api(answer or {}, ids)
