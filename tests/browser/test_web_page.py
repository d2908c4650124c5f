"""The web page and the room display in headless Chromium: sign in, list, live join button, RSVP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.app.conftest import ALICE, BOB, ROOM, T0, AppWorld

pytestmark = pytest.mark.browser


def _move_clocks(aw: AppWorld, minutes: int) -> None:
    """Move the service clock and the emulator clock together."""
    when = T0 + timedelta(minutes=minutes)
    aw.world.clock.set(when)
    aw.world.control.set_clock(time=when.isoformat().replace("+00:00", "Z"), frozen=True)


def test_sign_in_list_join_button_and_rsvp(page: Any, site: tuple[AppWorld, str]) -> None:
    """Bob signs in, sees his meeting, gets the join button at the lead time without a reload, and accepts."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, ROOM), summary="Design review")
    page.goto(f"{url}/app")
    page.click(f"button[data-email='{BOB}']")
    card = page.locator(f"article.meeting[data-id='{event['id']}']")
    card.wait_for()
    assert "Design review" in card.inner_text()
    assert "meet.google.com" in card.locator(".target").inner_text()
    assert card.locator("a.join").count() == 0
    assert page.locator("#presence").inner_text() == "available"
    page.evaluate("window.__marker = 'no reload'")

    _move_clocks(aw, 15)
    assert aw.app.join_buttons.dispatch().sent >= 1
    join = card.locator("a.join")
    join.wait_for(timeout=5_000)
    assert join.get_attribute("href") == "https://meet.google.com/abc-defg-hij"
    assert page.evaluate("window.__marker") == "no reload"

    card.locator("button[data-response='accepted']").click()
    page.locator(
        f"article.meeting[data-id='{event['id']}'] button[data-response='accepted'][aria-pressed='true']"
    ).wait_for()
    [copy] = [e for e in aw.world.control.events(ALICE) if e["id"] == event["id"]]
    assert {a["email"]: a["responseStatus"] for a in copy["attendees"]}[BOB] == "accepted"
    page.reload()
    page.locator(
        f"article.meeting[data-id='{event['id']}'] button[data-response='accepted'][aria-pressed='true']"
    ).wait_for()


@pytest.mark.parametrize("skew_days", [-45, 45])
def test_the_page_takes_today_from_the_service_not_the_device_clock(
    page: Any, site: tuple[AppWorld, str], skew_days: int
) -> None:
    """A laptop or panel whose clock is weeks off still shows the service's today on /app and /device."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=40), guests=(BOB, ROOM), summary="Clock check")
    page.clock.set_fixed_time(T0 + timedelta(days=skew_days))
    page.goto(f"{url}/app")
    page.click(f"button[data-email='{BOB}']")
    page.locator(f"article.meeting[data-id='{event['id']}']").wait_for()
    assert page.evaluate("new Date().getTime()") == int((T0 + timedelta(days=skew_days)).timestamp() * 1000)
    _, headers = aw.device(ROOM)
    page.goto(f"{url}/device?token={headers['Authorization'].removeprefix('Device ')}")
    page.locator(f"article.meeting[data-id='{event['id']}']").wait_for()


def test_room_display_shows_the_day_and_its_join_button(page: Any, site: tuple[AppWorld, str]) -> None:
    """/device?token=... lists the room's meeting and shows the join button when it is sent."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=30), guests=(ROOM,), summary="Board")
    device_id, headers = aw.device(ROOM)
    token = headers["Authorization"].removeprefix("Device ")
    page.goto(f"{url}/device?token={token}")
    card = page.locator(f"article.meeting[data-id='{event['id']}']")
    card.wait_for()
    device = aw.app.stores.get_device(device_id)
    assert device is not None and page.locator("#room").inner_text() == device.name
    assert card.locator("a.join").count() == 0 and card.locator("button").count() == 0
    _move_clocks(aw, 25)
    aw.app.join_buttons.dispatch()
    card.locator("a.join").wait_for(timeout=5_000)


def test_a_bad_device_token_shows_an_error(page: Any, site: tuple[AppWorld, str]) -> None:
    """An unknown token gets a message, not a room."""
    _, url = site
    page.goto(f"{url}/device?token=wrong")
    page.locator("#status:has-text('unknown device token')").wait_for()
