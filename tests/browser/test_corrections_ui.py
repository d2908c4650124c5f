"""Corrections on screen: keyword removed, meeting moved or cancelled change the app and the room display live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.app.conftest import ALICE, BOB, ROOM, T0, AppWorld
from tests.browser.conftest import Console, Shots, open_page
from tests.browser.pages import after, card, device_token, open_device, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def screens(
    browser: Any, console: Console, site: tuple[AppWorld, str]
) -> Iterator[tuple[AppWorld, str, Any, Any, dict[str, Any]]]:
    """Alice's @webex meeting with Bob and room A in five minutes, open on Bob's app and on the room's display."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=5), guests=(BOB, ROOM), location="Floor 3 @webex", summary="Plan")
    aw.app.join_buttons.dispatch()
    app_context, app = open_page(browser, console, viewport={"width": 1280, "height": 800})
    device_context, device = open_page(browser, console, viewport={"width": 1280, "height": 800})
    sign_in(app, url, BOB)
    open_device(device, url, device_token(aw, ROOM))
    card(app, event["id"]).locator("a.join").wait_for()
    device.locator(f"#current article[data-id='{event['id']}'] a.join").wait_for()
    yield aw, url, app, device, event
    app_context.close()
    device_context.close()


def _correct(aw: AppWorld, app: Any, device: Any) -> None:
    """Dispatch once and wait until both screens received the correction."""
    before = [int(p.evaluate("Number(document.body.dataset.notices || 0)")) for p in (app, device)]
    assert aw.app.join_buttons.dispatch().sent == 4
    for screen, seen in zip((app, device), before, strict=True):
        screen.wait_for_function("(n) => Number(document.body.dataset.notices || 0) > n", arg=seen)


def test_keyword_removed_takes_the_join_button_away_on_app_and_device(
    screens: tuple[AppWorld, str, Any, Any, dict[str, Any]], shot: Shots
) -> None:
    """`@webex` out of the location: the Join button and the Webex link go on both screens, with a note."""
    aw, _, app, device, event = screens
    aw.patch(ALICE, event["id"], {"location": "Floor 3"})
    _correct(aw, app, device)
    shown = card(app, event["id"])
    assert shown.locator("a.join").count() == 0 and shown.locator("a.target").count() == 0
    assert shown.locator(".flag").inner_text() == "Join link removed"
    assert device.locator("a.join").count() == 0
    assert device.locator("#featured-title").inner_text() == "Plan"
    shot(app, "app")
    shot(device, "device")


def test_a_moved_meetings_correction_reaches_app_and_device(
    screens: tuple[AppWorld, str, Any, Any, dict[str, Any]], shot: Shots
) -> None:
    """Moved an hour later: both screens show the new time and "Moved", and the button waits for the new lead time."""
    aw, _, app, device, event = screens
    later = T0 + timedelta(hours=1)
    aw.patch(
        ALICE,
        event["id"],
        {"start": {"dateTime": later.isoformat()}, "end": {"dateTime": (later + timedelta(minutes=30)).isoformat()}},
    )
    _correct(aw, app, device)
    shown = card(app, event["id"])
    assert shown.locator(".flag").inner_text().startswith("Moved to ")
    assert shown.locator("time").first.get_attribute("datetime") == later.isoformat().replace("+00:00", "Z")
    assert shown.locator("a.join").count() == 0
    assert device.locator(f"#days article[data-id='{event['id']}'] .flag").inner_text().startswith("Moved to ")
    assert device.locator("a.join").count() == 0
    assert device.locator("body").get_attribute("data-status") == "free"
    shot(app, "app")
    shot(device, "device")
    after(app, "render", lambda: app.click("#today"))  # a reload keeps what the service says now
    assert card(app, event["id"]).locator("time").first.get_attribute("datetime") == later.isoformat().replace(
        "+00:00", "Z"
    )


def test_a_cancelled_meeting_is_struck_through_on_app_and_device(
    screens: tuple[AppWorld, str, Any, Any, dict[str, Any]], shot: Shots
) -> None:
    """Cancelled by its organiser: marked on both screens, no Join, and the room is free again."""
    aw, _, app, device, event = screens
    aw.cancel(ALICE, event["id"])
    _correct(aw, app, device)
    shown = card(app, event["id"])
    assert "cancelled" in (shown.get_attribute("class") or "") and shown.locator(".flag").inner_text() == "Cancelled"
    assert shown.locator("a.join").count() == 0 and shown.locator(".rsvp").count() == 0
    listed = device.locator(f"#days article[data-id='{event['id']}']")
    assert "cancelled" in (listed.get_attribute("class") or "") and "Cancelled" in listed.inner_text()
    assert device.locator("a.join").count() == 0 and device.locator("body").get_attribute("data-status") == "free"
    shot(app, "app")
    shot(device, "device")
