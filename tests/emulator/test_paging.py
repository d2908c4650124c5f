"""Paging never skips: a change between two pages of a listing leaves no event out of the union of pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.emulator.conftest import Api
from tests.support.instant import T0

EVENTS = "/calendar/v3/calendars/primary/events"
BERLIN = "Europe/Berlin"


def _at(days: int, hours: int = 0) -> dict[str, str]:
    when = (T0 + timedelta(days=days, hours=hours)).replace(tzinfo=None)
    return {"dateTime": when.isoformat(), "timeZone": BERLIN}


def _insert(api: Api, count: int) -> list[str]:
    return [
        api.insert({"summary": f"event {n}", "start": _at(n + 1), "end": _at(n + 1, 1)})["id"] for n in range(count)
    ]


def _pages(
    api: Api, path: str, params: dict[str, str], between: Callable[[], None]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every item of every page (``between`` runs after the first page) and the last page."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    first = True
    while True:
        response = api.call("GET", path, params={**params, **({"pageToken": token} if token else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if first:
            between()
            first = False
        token = page.get("nextPageToken")
        if not token:
            return items, page


def _patch(api: Api, event_id: str, summary: str) -> None:
    assert api.call("PATCH", f"{EVENTS}/{event_id}", json={"summary": summary}).status_code == 200


@pytest.mark.parametrize("changed", [1, 4], ids=["served-on-page-1", "due-on-page-2"])
def test_a_change_between_sync_pages_skips_no_event(api: Api, changed: int) -> None:
    """An event changed between page 1 and page 2 of a syncToken listing makes no other event drop out,
    and the client's copy ends up current after the next sync."""
    ids = _insert(api, 7)
    sync = api.call("GET", EVENTS).json()["nextSyncToken"]
    for n, event_id in enumerate(ids):
        _patch(api, event_id, f"renamed {n}")
    items, last = _pages(
        api, EVENTS, {"syncToken": sync, "maxResults": "3"}, lambda: _patch(api, ids[changed], "changed again")
    )
    assert set(ids) <= {item["id"] for item in items}
    seen = {item["id"]: item["summary"] for item in items}
    delta = api.call("GET", EVENTS, params={"syncToken": last["nextSyncToken"]}).json()
    seen.update({item["id"]: item["summary"] for item in delta["items"]})
    expected = {event_id: f"renamed {n}" for n, event_id in enumerate(ids)} | {ids[changed]: "changed again"}
    assert seen == expected


def test_a_deletion_between_full_listing_pages_skips_no_event(api: Api) -> None:
    """An event deleted between page 1 and page 2 of a full listing does not shift an unchanged event out."""
    ids = _insert(api, 7)
    deleted = ids[1]
    items, _ = _pages(
        api,
        EVENTS,
        {"maxResults": "3"},
        lambda: api.call("DELETE", f"{EVENTS}/{deleted}").raise_for_status(),
    )
    assert set(ids) - {deleted} <= {item["id"] for item in items}


def test_a_cancelled_instance_between_instance_pages_skips_no_instance(api: Api) -> None:
    """An instance cancelled between page 1 and page 2 of events.instances does not shift another one out."""
    series = api.insert(
        {"summary": "daily", "start": _at(1), "end": _at(1, 1), "recurrence": ["RRULE:FREQ=DAILY;COUNT=7"]}
    )
    path = f"{EVENTS}/{series['id']}/instances"
    every = api.call("GET", path).json()["items"]
    assert len(every) == 7
    cancelled = every[1]["id"]
    items, _ = _pages(
        api, path, {"maxResults": "3"}, lambda: api.call("DELETE", f"{EVENTS}/{cancelled}").raise_for_status()
    )
    assert {i["id"] for i in every} - {cancelled} <= {item["id"] for item in items}
