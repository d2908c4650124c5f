"""Topic names: one list that the code, the local runtime and the Terraform check share."""

from __future__ import annotations

import msgspec


class TopicSpec(msgspec.Struct, frozen=True):
    """A topic, the function that consumes it, and whether it needs message ordering."""

    name: str
    consumer: str | None
    ordered: bool
    dead_letter: bool = True

    @property
    def dead_letter_name(self) -> str:
        """The dead-letter topic for this topic."""
        return f"{self.name}-dead-letter"


CALENDAR_SYNC = "calendar-sync"
JOIN_REWRITE = "join-rewrite"
VACATION_CHECK = "vacation-check"
JOIN_BUTTONS = "join-buttons"
USER_PROVISIONING = "user-provisioning"
PRESENCE_CHANGED = "presence-changed"

TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(CALENDAR_SYNC, "sync_calendar", ordered=True),
    TopicSpec(JOIN_REWRITE, "rewrite_join_details", ordered=True),
    TopicSpec(VACATION_CHECK, "check_vacation", ordered=False),
    TopicSpec(USER_PROVISIONING, "provision_user", ordered=True),
    TopicSpec(JOIN_BUTTONS, None, ordered=False, dead_letter=False),
    TopicSpec(PRESENCE_CHANGED, None, ordered=False, dead_letter=False),
)

BY_NAME = {spec.name: spec for spec in TOPICS}
