"""The room display in headless Chromium: room name, clock, status, Join with a countdown, privacy, panel sizes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.app.conftest import ALICE, BOB, MEET, ROOM, T0, AppWorld
from tests.browser.conftest import Console, Shots, open_page
from tests.browser.pages import after, card, device_token, move_clocks, open_device, sign_in, wait_for

pytestmark = pytest.mark.browser


def _hm(value: datetime) -> str:
    """A time as the room (UTC, English) shows it: ``9:12 AM``."""
    return f"{value.hour % 12 or 12}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def _text(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).replace("\u202f", " ")


def _set_browser_clock(page: Any, when: datetime) -> None:
    """Move the panel's own clock and wait until it ticked twice on it (one tick may have begun before)."""
    before = int(page.evaluate("Number(document.body.dataset.tick || 0)"))
    page.clock.set_fixed_time(when)
    wait_for(page, "tick", before + 1)


def test_room_name_ticking_clock_and_status_through_the_morning(
    page: Any, site: tuple[AppWorld, str], shot: Shots
) -> None:
    """Available (free until), starting soon, Join with a countdown at the lead time, in use until the run ends."""
    aw, url = site
    first = aw.meeting(ALICE, T0 + timedelta(minutes=12), guests=(BOB, ROOM), summary="Board review")
    aw.meeting(BOB, T0 + timedelta(minutes=42), guests=(ROOM,), summary="Follow-up")
    open_device(page, url, device_token(aw, ROOM))
    assert _text(page, "#room") == "Room A" and page.title() == "Room A"
    assert _text(page, "#clock") == _hm(T0)
    assert page.locator("body").get_attribute("data-status") == "free"
    assert _text(page, "#state-label") == "Available"
    assert _text(page, "#state-detail") == f"Free until {_hm(T0 + timedelta(minutes=12))}"
    assert _text(page, "#featured-title") == "Board review" and page.locator("#current a.join").count() == 0
    assert page.locator("#days article.meeting").count() == 2
    shot(page, "available")

    _set_browser_clock(page, T0 + timedelta(minutes=4))
    assert _text(page, "#clock") == _hm(T0 + timedelta(minutes=4))  # the clock ticks
    assert page.locator("body").get_attribute("data-status") == "soon"
    assert _text(page, "#state-detail") == f"Next meeting at {_hm(T0 + timedelta(minutes=12))}"

    move_clocks(aw, 7)
    page.clock.set_fixed_time(T0 + timedelta(minutes=7))
    after(page, "notices", lambda: aw.app.join_buttons.dispatch())
    join = page.locator(f"#current article[data-id='{first['id']}'] a.join")
    assert join.get_attribute("href") == MEET
    _set_browser_clock(page, T0 + timedelta(minutes=7, seconds=30))
    assert _text(page, ".countdown") == "Starts in 4:30"
    shot(page, "join")

    _set_browser_clock(page, T0 + timedelta(minutes=13))
    assert page.locator("body").get_attribute("data-status") == "busy"
    assert _text(page, "#state-label") == "In use"
    assert _text(page, "#state-detail") == f"Until {_hm(T0 + timedelta(minutes=72))}"  # back to back
    assert page.locator("#days article.meeting.current").count() == 1
    shot(page, "in-use")


def test_a_private_meeting_on_the_room_display(
    browser: Any, page: Any, console: Console, site: tuple[AppWorld, str], shot: Shots
) -> None:
    """The room shows "Private meeting" with no title or organiser; Bob, invited, sees it in full."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, ROOM), summary="Reorg talks")
    aw.patch(ALICE, event["id"], {"visibility": "private", "description": "Who moves where"})
    open_device(page, url, device_token(aw, ROOM))
    assert _text(page, "#featured-title") == "Private meeting"
    assert _text(page, f"#days article[data-id='{event['id']}'] .title") == "Private meeting"
    shown = page.locator("body").inner_text()
    for secret in ("Reorg", "Who moves", ALICE, "Alice"):
        assert secret not in shown
    shot(page, "private")
    context, app = open_page(browser, console, viewport={"width": 1280, "height": 800})
    sign_in(app, url, BOB)
    assert card(app, event["id"]).locator("h3").inner_text() == "Reorg talks"
    assert card(app, event["id"]).locator(".tag").inner_text() == "Private"
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_the_panel_fits_wall_displays(
    browser: Any, console: Console, site: tuple[AppWorld, str], shot: Shots, width: int, height: int
) -> None:
    """At 1280x800 and 1920x1080 the status, the meeting and its Join button are on screen without scrolling."""
    aw, url = site
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(ROOM,), summary="Quarterly planning with the regional leads")
    for hour in range(1, 8):
        aw.meeting(BOB, T0 + timedelta(hours=hour), guests=(ROOM,), summary=f"Session {hour}")
    aw.app.join_buttons.dispatch()
    context, page = open_page(browser, console, viewport={"width": width, "height": height})
    open_device(page, url, device_token(aw, ROOM))
    page.locator("#current a.join").wait_for()
    wait_for(page, "notices")
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [width, height]
    for selector in ("#room", "#clock", ".state", "#current a.join", ".countdown"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, selector
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, selector
    shot(page, f"{width}x{height}")
    context.close()


def test_a_bad_device_token_shows_an_error(page: Any, site: tuple[AppWorld, str], console: Console) -> None:
    """An unknown token gets a message, not a room."""
    _, url = site
    console.allow("status of 401")
    page.goto(f"{url}/device?token=wrong")
    wait_for(page, "failed")
    assert "unknown device token" in page.locator("#status").inner_text()
