"""Every entry point, its trigger and where the local runtime mounts it."""

from __future__ import annotations

import msgspec

from shared.topics import TOPICS


class EntryPoint(msgspec.Struct, frozen=True):
    """One Cloud Function: name, trigger, and its local path or topic."""

    name: str
    trigger: str  # "http", "pubsub" or "scheduled"
    paths: tuple[str, ...] = ()
    topic: str | None = None
    schedule: str | None = None
    public: bool = False


_CONSUMERS = {spec.consumer: spec.name for spec in TOPICS if spec.consumer}

ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint("calendar_webhook", "http", ("/calendar_webhook",), public=True),
    EntryPoint("meetings_api", "http", ("/v1", "/app", "/device"), public=True),
    EntryPoint("admin_api", "http", ("/admin/v1",)),
    EntryPoint("maintain_channels", "scheduled", ("/maintain_channels",), schedule="every 60 minutes"),
    EntryPoint("poll_vacations", "scheduled", ("/poll_vacations",), schedule="every 5 minutes"),
    EntryPoint("dispatch_join_buttons", "scheduled", ("/dispatch_join_buttons",), schedule="every 1 minutes"),
    EntryPoint("release_rooms", "scheduled", ("/release_rooms",), schedule="every 1 minutes"),
    EntryPoint("sync_calendar", "pubsub", topic=_CONSUMERS["sync_calendar"]),
    EntryPoint("rewrite_join_details", "pubsub", topic=_CONSUMERS["rewrite_join_details"]),
    EntryPoint("check_vacation", "pubsub", topic=_CONSUMERS["check_vacation"]),
    EntryPoint("provision_user", "pubsub", topic=_CONSUMERS["provision_user"]),
)

BY_NAME = {ep.name: ep for ep in ENTRY_POINTS}

SCHEDULE_SECONDS = {
    "maintain_channels": 3600.0,
    "poll_vacations": 300.0,
    "dispatch_join_buttons": 60.0,
    "release_rooms": 60.0,
}
