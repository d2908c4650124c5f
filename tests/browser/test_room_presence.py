"""The room display in headless Chromium: presence marks of the org's people on the current and next meeting, live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.ports.messages import PresenceChanged
from tests.app.conftest import ALICE, BOB, ROOM, T0, ZED, AppWorld
from tests.browser.conftest import Shots
from tests.browser.pages import after, card, device_token, open_device, wait_for

pytestmark = pytest.mark.browser


def _set(aw: AppWorld, email: str, status: PresenceStatus, message: str = "") -> None:
    """Store a presence as the presence worker does and announce it."""
    org = aw.world.org.id
    pid = aw.app.stores.principals.principal_id(org, email)
    source = PresenceSource.GMAIL_VACATION if message else PresenceSource.CALENDAR_EVENT
    aw.app.stores.presence.put_presence(Presence(org, pid, status, message, T0, None, source, "office|Berlin 4F"))
    aw.app.bus.send(PresenceChanged(org_id=org, principal_id=pid))
    aw.world.settle()


def _marks(scope: Any) -> list[tuple[str, str]]:
    """(email, mark text) of every marked person inside ``scope``."""
    found = scope.locator("[data-email]:has(.mark)")
    items = [found.nth(i) for i in range(found.count())]
    return [(item.get_attribute("data-email"), item.locator(".mark").inner_text()) for item in items]


def test_marks_show_who_is_away_and_change_live(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """Out of office on the meeting now; another meeting, do not disturb and the room's own meeting follow live."""
    aw, url = site
    now = aw.meeting(ALICE, T0 - timedelta(minutes=10), guests=(ROOM,), summary="Board review")
    nxt = aw.meeting(BOB, T0 + timedelta(minutes=40), guests=(ROOM, ZED), summary="Follow-up")
    later = aw.meeting(BOB, T0 + timedelta(hours=3), guests=(ROOM, ALICE), summary="Planning")
    _set(aw, ALICE, PresenceStatus.OUT_OF_OFFICE, "Back on Monday")
    open_device(page, url, device_token(aw, ROOM))
    wait_for(page, "presence", 1)  # the read and the stream's first frame
    featured = page.locator(f"#current article[data-id='{now['id']}']")
    assert _marks(featured) == [(ALICE, "Out of office")]
    assert _marks(card(page, now["id"])) == [(ALICE, "Out of office")]
    assert _marks(card(page, nxt["id"])) == [] and _marks(card(page, later["id"])) == []  # the third gets none
    assert "Back on Monday" not in page.content() and "Berlin" not in page.content()
    shot(page, "out-of-office")

    after(page, "presence", lambda: _set(aw, BOB, PresenceStatus.IN_MEETING))
    assert _marks(card(page, nxt["id"])) == [(BOB, "In another meeting")]
    after(page, "presence", lambda: _set(aw, ALICE, PresenceStatus.IN_MEETING))
    assert _marks(featured) == []  # in the room's own meeting: expected, not marked
    after(page, "presence", lambda: _set(aw, BOB, PresenceStatus.DO_NOT_DISTURB))
    assert _marks(card(page, nxt["id"])) == [(BOB, "Do not disturb")]
    shot(page, "do-not-disturb")
    after(page, "presence", lambda: _set(aw, BOB, PresenceStatus.AVAILABLE))
    assert _marks(page.locator("main")) == []
