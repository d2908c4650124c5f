"""The emulator's whole state behind one re-entrant lock.

:class:`EmulatorState` owns the directory (domains, users, rooms), calendars with their event
copies and change logs, service accounts and access tokens, push channels, Gmail vacation
settings, faults, the request log, the push dispatcher and the clock. Blueprints and the
event logic take ``state.lock`` while they read or change it.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx

from emulator.clock import EmulatorClock
from emulator.errors import forbidden, not_found
from emulator.faults import FaultInjector
from emulator.model import (
    ROLE_RANK,
    AccessToken,
    AclRule,
    Calendar,
    Channel,
    Domain,
    Room,
    ServiceAccount,
    User,
)
from emulator.push import PushDispatcher, PushMessage
from emulator.requestlog import RequestLog
from emulator.timeutil import epoch_ms, zone


def _email(value: Any, what: str) -> str:
    if not isinstance(value, str) or value.count("@") != 1 or value.startswith("@"):
        raise ValueError(f"{what} needs a valid email, got {value!r}")
    return value.strip().lower()


class EmulatorState:
    """Everything the emulator knows; thread-safe through :attr:`lock`."""

    def __init__(self, push_transport: httpx.BaseTransport | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = EmulatorClock()
        self.faults = FaultInjector()
        self.log = RequestLog()
        self.push = PushDispatcher(push_transport)
        self._etags = itertools.count(1)
        self.unexpected_errors: list[str] = []
        self._clear()

    def _clear(self) -> None:
        self.domains: dict[str, Domain] = {}
        self.users: dict[str, User] = {}
        self.rooms: dict[str, Room] = {}
        self.calendars: dict[str, Calendar] = {}
        self.service_accounts: dict[str, ServiceAccount] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.channels: dict[str, Channel] = {}
        self.vacations: dict[str, dict[str, Any]] = {}
        # calendarList: user -> calendar id -> that user's settings for it (colour, hidden, ...)
        self.calendar_lists: dict[str, dict[str, dict[str, Any]]] = {}
        # events.list candidates per (calendar, change-log position, query): pages slice it.
        self.list_cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: directory, events, credentials, faults, logs; real time again."""
        self.push.wait_idle(5.0)
        with self.lock:
            self._clear()
            self.faults.clear()
            self.log.clear()
            self.push.clear()
            self.clock.reset()
            self.unexpected_errors.clear()

    def close(self) -> None:
        """Stop the push thread."""
        self.push.close()

    def set_push_transport(self, transport: httpx.BaseTransport | None) -> None:
        """Deliver pushes through ``transport`` (e.g. an ``httpx.WSGITransport``)."""
        self.push.set_transport(transport)

    def wait_for_push_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued push was delivered; False if ``timeout`` passed first."""
        return self.push.wait_idle(timeout)

    def now(self) -> datetime:
        """Return the emulator clock's time."""
        return self.clock.now()

    def new_etag(self) -> str:
        """Return a fresh quoted etag, Google style."""
        micros = epoch_ms(self.clock.now()) * 1000
        return f'"{micros + next(self._etags) % 1000}{next(self._etags) % 10}"'

    # -- directory -------------------------------------------------------------------------

    def create_domain(self, spec: dict[str, Any]) -> Domain:
        """Create (or extend) a domain from the control plane's JSON; ``ValueError`` if bad."""
        name = spec.get("domain")
        if not isinstance(name, str) or "." not in name:
            raise ValueError("domain must be a domain name such as example.com")
        name = name.lower()
        default_tz = str(spec.get("timeZone", "UTC"))
        zone(default_tz)
        users = spec.get("users", [])
        rooms = spec.get("rooms", [])
        if not isinstance(users, list) or not isinstance(rooms, list):
            raise ValueError("users and rooms must be lists")
        with self.lock:
            domain = self.domains.setdefault(name, Domain(name, default_tz))
            for raw in users:
                if not isinstance(raw, dict):
                    raise ValueError("each user must be an object")
                email = _email(raw.get("email"), "a user")
                if email.split("@")[1] != name:
                    raise ValueError(f"{email} is not in {name}")
                tz = str(raw.get("timeZone", default_tz))
                zone(tz)
                user = User(email, str(raw.get("name", email)), name, str(raw.get("locale", "en")), tz)
                domain.users[email] = self.users[email] = user
                self._ensure_calendar(email, "user", name, email, tz)
            for raw in rooms:
                if not isinstance(raw, dict):
                    raise ValueError("each room must be an object")
                email = _email(raw.get("email"), "a room")
                tz = str(raw.get("timeZone", default_tz))
                zone(tz)
                room = Room(email, str(raw.get("name", email)), name, tz)
                domain.rooms[email] = self.rooms[email] = room
                self._ensure_calendar(email, "room", name, room.name, tz)
                writers = raw.get("writers", [])
                if not isinstance(writers, list):
                    raise ValueError("a room's writers must be a list of emails")
                for writer in writers:  # "Make changes to events" shared in the Admin console
                    self.put_acl(self.calendars[email], "writer", "user", _email(writer, "a room writer"))
            return domain

    def _ensure_calendar(self, email: str, kind: str, domain: str, summary: str, tz: str) -> None:
        calendar = self.calendars.get(email)
        if calendar is None:
            calendar = Calendar(email, "room" if kind == "room" else "user", domain, summary, tz)
            self.calendars[email] = calendar
            self.put_acl(calendar, "owner", "user", email)
            if kind == "room":
                self.put_acl(calendar, "reader", "domain", domain)
        calendar.summary, calendar.time_zone = summary, tz

    def update_user(self, email: str, fields: dict[str, Any]) -> User:
        """Change a user's name, locale or time zone; ``KeyError`` if unknown."""
        with self.lock:
            user = self.users[email.lower()]
            if "timeZone" in fields:
                zone(str(fields["timeZone"]))
                user.time_zone = str(fields["timeZone"])
                self.calendars[user.email].time_zone = user.time_zone
            if "locale" in fields:
                user.locale = str(fields["locale"])
            if "name" in fields:
                user.name = str(fields["name"])
            if {"timeZone", "locale"} & set(fields):
                self.notify_change({f"settings:{user.email}"})
            return user

    def display_name(self, email: str) -> str | None:
        """Return the directory name of a user or room (or a secondary calendar's title), if known."""
        principal = self.users.get(email) or self.rooms.get(email)
        if principal is None and email in self.calendars:
            return self.calendars[email].summary
        return principal.name if principal is not None else None

    def domain_of(self, email: str) -> str:
        """Return the domain part of ``email``."""
        return email.rsplit("@", 1)[-1].lower()

    # -- calendars and access --------------------------------------------------------------

    def put_acl(self, calendar: Calendar, role: str, scope_type: str, value: str | None) -> AclRule:
        """Insert or replace the ACL rule for a scope."""
        rule_id = scope_type if scope_type == "default" else f"{scope_type}:{value}"
        rule = AclRule(rule_id, role, scope_type, value, self.new_etag())
        calendar.acl[rule_id] = rule
        return rule

    def role_for(self, subject: str, calendar: Calendar) -> int:
        """Return the rank of the best role ``subject`` holds on ``calendar``."""
        subject = subject.lower()
        if subject == calendar.calendar_id:
            return ROLE_RANK["owner"]
        best = 0
        sub_domain = self.domain_of(subject)
        if calendar.kind == "user" and sub_domain == calendar.domain and subject in self.users:
            best = ROLE_RANK["freeBusyReader"]
        for rule in calendar.acl.values():
            if (
                rule.scope_type == "default"
                or (rule.scope_type == "user" and rule.scope_value == subject)
                or (rule.scope_type == "domain" and rule.scope_value == sub_domain)
            ):
                best = max(best, ROLE_RANK.get(rule.role, 0))
        return best

    def calendar_for(self, subject: str, calendar_id: str, need: str = "reader") -> Calendar:
        """Return the calendar if ``subject`` holds ``need``; 404 if invisible, 403 if weaker."""
        if calendar_id == "primary":
            calendar_id = subject
        calendar = self.calendars.get(calendar_id.lower())
        if calendar is None or calendar.deleted:
            raise not_found()
        rank = self.role_for(subject, calendar)
        if rank < ROLE_RANK["reader"] and need != "freeBusyReader":
            raise not_found()
        if rank < ROLE_RANK[need]:
            raise forbidden(f"You need to have {need} access to this calendar.", "requiredAccessLevel")
        return calendar

    # -- push ------------------------------------------------------------------------------

    def resource_id(self, calendar_id: str) -> str:
        """Return the opaque, stable resource id of a calendar's events collection."""
        return hashlib.sha1(f"events:{calendar_id}".encode()).hexdigest()[:27]

    def send_push(self, channel: Channel, state: str) -> None:
        """Queue one message on ``channel`` (subject to drop/duplicate faults)."""
        message = PushMessage(
            channel_id=channel.channel_id,
            token=channel.token,
            expiration_ms=epoch_ms(channel.expiration),
            resource_id=channel.resource_id,
            resource_uri=channel.resource_uri,
            state=state,
            number=channel.next_number,
            address=channel.address,
            enqueued=time.perf_counter(),
        )
        channel.next_number += 1
        if state != "sync" and self.faults.chance("calendar.events.watch", "pushDropRate"):
            self.push.record_dropped(message)
            return
        self.push.enqueue(message)
        if state != "sync" and self.faults.chance("calendar.events.watch", "pushDuplicateRate"):
            self.push.enqueue(replace(message, duplicate=True))

    def notify_change(self, calendar_ids: set[str], event_type: str | None = None) -> None:
        """Queue an ``exists`` message on every live channel watching these calendars (a channel
        opened with ``eventTypes`` only hears of changes to events of those types)."""
        now = self.clock.now()
        for channel in list(self.channels.values()):
            if channel.calendar_id not in calendar_ids or channel.stopped:
                continue
            if channel.event_types and (event_type or "default") not in channel.event_types:
                continue
            if channel.expiration <= now:
                continue
            self.send_push(channel, "exists")
