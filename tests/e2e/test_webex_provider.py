"""The Webex Meetings REST provider, end to end against the emulator's Webex surface."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from msgspec.structs import replace

from emulator.testing import BASE_URL
from shared.domain.joinblock import BLOCK_BEGIN
from tests.e2e.test_join_rewrite import _event_now, _patch
from tests.e2e.test_sync_pipeline import ALICE, _create, _event
from tests.support.world import World, make_world


@pytest.fixture
def webex_world(tmp_path: Path) -> Iterator[World]:
    """A world whose org schedules real Webex meetings through the REST API."""
    w = make_world(tmp_path, configure=lambda s: replace(s, webex_base_url=f"{BASE_URL}/webex/v1"))
    org = replace(w.org, provider="webex_api")
    w.app.stores.orgs.put_org(org)
    w.app.stores.orgs.put_org_secret(org.id, "webex_access_token", "webex-token-123")
    w.org = org
    try:
        yield w
    finally:
        w.close()


def test_webex_meeting_created_once_and_deleted_with_the_keyword(webex_world: World) -> None:
    """A keyword creates one Webex meeting whose link lands in the invitation; removing it deletes the meeting."""
    w = webex_world
    w.activate(ALICE)
    w.control.clear_requests()
    created = _create(w, ALICE, _event("Board", 3, location="@webex"))
    w.settle()
    assert w.count("webex.meetings.create") == 1
    description = _event_now(w, ALICE, created["id"])["description"]
    assert BLOCK_BEGIN in description and "j.php?MTID=" in description
    ref = _event_now(w, ALICE, created["id"])["extendedProperties"]["private"]["hcMeetingRef"]
    assert ref.startswith("webex:")
    _patch(w, ALICE, created["id"], {"location": "Nowhere"})
    w.settle()
    assert w.count("webex.meetings.delete") == 1
    assert BLOCK_BEGIN not in _event_now(w, ALICE, created["id"]).get("description", "")


def test_missing_webex_token_is_a_recorded_skip_not_a_crash(webex_world: World) -> None:
    """Without a Webex token the rewrite patches nothing and the principal's decisions show why."""
    w = webex_world
    w.app.stores.orgs.put_org_secret(w.org.id, "webex_access_token", None)
    w.activate(ALICE)
    created = _create(w, ALICE, _event("No token", 4, location="@webex"))
    w.settle()
    assert BLOCK_BEGIN not in _event_now(w, ALICE, created["id"]).get("description", "")
    assert w.count("webex.meetings.create") == 0
    decisions = w.app.stores.decisions.list_decisions(w.org.id, w.app.stores.principals.principal_id(w.org.id, ALICE))
    assert decisions[0]["outcome"] == "skipped" and decisions[0]["reason"] == "provider_refused:invalid_input"


def test_deleting_the_event_deletes_the_webex_meeting(webex_world: World) -> None:
    """When the organiser deletes a keyworded event, its Webex meeting is released."""
    w = webex_world
    w.activate(ALICE)
    created = _create(w, ALICE, _event("Doomed", 5, location="@webex"))
    w.settle()
    assert w.count("webex.meetings.create") == 1
    with w.http(ALICE) as http:
        assert http.delete(f"/calendar/v3/calendars/{ALICE}/events/{created['id']}").status_code == 204
    w.settle()
    assert w.count("webex.meetings.delete") == 1
    assert w.count("calendar.events.patch") == 1  # nothing is written to a cancelled event
