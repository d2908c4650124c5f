"""The room display's check-in in headless Chromium: "Check in" inside the window, "Checked in", then released."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.domain.rooms import policy_of_minutes
from tests.app.conftest import ALICE, ROOM, T0, AppWorld
from tests.browser.conftest import Shots
from tests.browser.pages import after, count, device_token, move_clocks, open_device, wait_for
from tests.browser.test_locale_a11y import _serious
from tests.support.world import DOMAIN

pytestmark = pytest.mark.browser


def _at(page: Any, aw: AppWorld, minutes: float) -> None:
    """Move the service, the emulator and the panel to ``T0 + minutes`` and wait for the panel's next tick."""
    move_clocks(aw, minutes)
    before = count(page, "tick")
    page.clock.set_fixed_time(T0 + timedelta(minutes=minutes))
    wait_for(page, "tick", before + 1)


def _hm(value: datetime) -> str:
    return f"{value.hour % 12 or 12}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def test_check_in_then_checked_in_and_a_no_show_shows_released(
    page: Any, site: tuple[AppWorld, str], shot: Shots
) -> None:
    """No button before the window, "Check in" from 5 minutes before, then "Checked in"; a no-show shows released."""
    aw, url = site
    aw.world.control.create_domain(DOMAIN, rooms=[{"email": ROOM, "name": "Room A", "writers": [ALICE]}])
    aw.app.rooms.set_org_policy(aw.world.org.id, policy_of_minutes(10))
    first = aw.meeting(ALICE, T0 + timedelta(minutes=12), guests=(ROOM,), summary="Board review")
    second = aw.meeting(ALICE, T0 + timedelta(minutes=40), guests=(ROOM,), summary="Nobody comes")
    open_device(page, url, device_token(aw, ROOM))
    wait_for(page, "checkins")
    assert page.locator("#current button.check-in").count() == 0

    _at(page, aw, 7)
    button = page.locator(f"#current article[data-id='{first['id']}'] button.check-in")
    assert button.inner_text() == "Check in"
    until = page.locator("#current .check-in-until").inner_text().replace("\u202f", " ")
    assert until == f"Check in until {_hm(T0 + timedelta(minutes=22))}"
    shot(page, "check-in")
    assert _serious(page) == []  # axe-core: the Check in button
    after(page, "checkin", button.click)
    assert page.locator("#current .checked-in").inner_text() == "Checked in"
    assert page.locator("#current button.check-in").count() == 0
    [record] = aw.app.rooms.meetings_of(aw.world.org.id, ROOM, T0.date(), 1)
    assert (record.event_id, record.outcome.value) == (first["id"], "checked_in")

    move_clocks(aw, 50)
    assert aw.app.rooms.release().released == 1  # the second meeting: nobody checked in
    before = count(page, "checkins")
    page.clock.set_fixed_time(T0 + timedelta(minutes=50))
    wait_for(page, "checkins", before)
    released = page.locator(f"#current article[data-id='{second['id']}'] .released")
    assert released.inner_text() == "Released: nobody checked in"
    shot(page, "released")
    assert _serious(page) == []
