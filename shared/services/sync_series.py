"""Expanding recurring series for the sync: the instances of each master inside the retention window.

A few series are expanded with one ``events.instances`` call each; a full sync of more series reads
every instance from one ``singleEvents=true`` listing of the window (pages of 2,500, Google's largest),
which is fewer calls. Cancelled instances and instances without times give no meeting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from shared.domain.events import CalendarEvent
from shared.domain.meetings import Meeting
from shared.domain.normalise import meeting_from_event
from shared.domain.principals import Org, Principal
from shared.domain.retention import RetentionWindow
from shared.errors import InvalidInput
from shared.ports import CalendarEventPage, SyncListing

# A full sync expands up to this many series with one events.instances call each; more series come from
# one singleEvents listing of the window.
FEW_SERIES = 2
WINDOW_PAGE = 2500


def pages(api: SyncListing, calendar_id: str, **kwargs: object) -> Iterator[CalendarEventPage]:
    """Every page of ``events.list`` with these options."""
    page_token: str | None = None
    while True:
        page = api.events_page(calendar_id, page_token=page_token, **kwargs)
        yield page
        if not page.next_page_token:
            return
        page_token = page.next_page_token


def series_meetings(org: Org, principal: Principal, instances: Iterable[CalendarEvent]) -> list[Meeting]:
    """The meetings of a series' instances (cancelled ones and ones without times left out)."""
    out: list[Meeting] = []
    for event in instances:
        if event.cancelled:
            continue
        try:
            out.append(meeting_from_event(org.id, principal.id, event, keywords=org.keywords))
        except InvalidInput:
            continue
    return out


def instances_of(
    api: SyncListing,
    org: Org,
    principal: Principal,
    master: CalendarEvent,
    window: RetentionWindow,
    on_page: Callable[[], None],
) -> list[Meeting]:
    """One master's meetings inside the window, through ``events.instances``."""
    out: list[Meeting] = []
    page_token: str | None = None
    while True:
        page = api.instances_page(
            principal.email, master.id, time_min=window.start, time_max=window.end, page_token=page_token
        )
        on_page()
        out += series_meetings(org, principal, page.events)
        if not page.next_page_token:
            return out
        page_token = page.next_page_token


def window_instances(
    api: SyncListing, principal: Principal, window: RetentionWindow, on_page: Callable[[], None]
) -> dict[str, list[CalendarEvent]]:
    """Every series' instances inside the window from one ``singleEvents`` listing, by series id."""
    out: dict[str, list[CalendarEvent]] = {}
    listing = pages(
        api, principal.email, time_min=window.start, time_max=window.end, single_events=True, max_results=WINDOW_PAGE
    )
    for page in listing:
        on_page()
        for event in page.events:
            if event.recurring_event_id:
                out.setdefault(event.recurring_event_id, []).append(event)
    return out
