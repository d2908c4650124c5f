"""From a sync to the join-detail rewrite: which stored meetings need their block written, replaced or removed.

The sync calls these inside the store's ``atomic()`` block with the meetings' write, so on the
embedded backend the rewrite messages commit with the meetings that caused them.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.domain.conference import needs_rewrite
from shared.domain.meetings import Meeting
from shared.domain.principals import Org, Principal
from shared.ports import MessageBus
from shared.ports.messages import RewriteJoinDetails


def publish_rewrite(bus: MessageBus, org: Org, principal: Principal, event_id: str) -> None:
    """Ask for one event's join block to be brought in line with its keyword (ordered per calendar)."""
    bus.send(RewriteJoinDetails(org_id=org.id, principal_id=principal.id, event_id=event_id))


def handoff(
    bus: MessageBus,
    org: Org,
    principal: Principal,
    meetings: list[Meeting],
    master_keywords: dict[str, str | None],
    not_organiser: Callable[[str], None],
) -> int:
    """Publish a join rewrite for each organiser copy whose keyword and written block disagree.

    A copy that is not the organiser's but carries a keyword is passed to ``not_organiser`` (once
    per series), so the decision record can say why it got nothing.

    An instance whose keyword is its series' keyword is handled by patching the master once;
    an instance with a keyword of its own (an exception) gets its own rewrite.
    """
    count = 0
    handled: set[str] = set()
    for meeting in meetings:
        if not meeting.is_organizer_copy or principal.kind.value != "person":
            event = meeting.series_id or meeting.event_id  # a series is explained once
            if meeting.keyword and event not in handled:
                handled.add(event)
                not_organiser(event)
            continue
        if not needs_rewrite(meeting):
            continue
        target = meeting.event_id
        series = meeting.series_id
        if series and series in master_keywords and master_keywords[series] == meeting.keyword:
            target = series
        if target in handled:
            continue
        handled.add(target)
        publish_rewrite(bus, org, principal, target)
        count += 1
    return count
