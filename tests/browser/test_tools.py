"""The web page's tools in headless Chromium: schedule a meeting, quick add, find a time, delegates."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.app.conftest import ALICE, BOB, ROOM, T0, AppWorld
from tests.browser.conftest import Console, Shots
from tests.browser.pages import after, card, sign_in

pytestmark = pytest.mark.browser
NEW_YORK = ZoneInfo("America/New_York")  # Bob's Calendar time zone in the emulated domain


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Bob's zone, ``day`` days after T0's date there."""
    date = T0.astimezone(NEW_YORK).date() + timedelta(days=day)
    return datetime.combine(date, time(hour, minute), tzinfo=NEW_YORK)


def _pick(page: Any, fieldset: str, email: str) -> None:
    page.fill(f"#{fieldset}-input", email)
    page.click(f"#{fieldset} .pick button")
    page.locator(f"#{fieldset} .chips li[data-email='{email}']").wait_for()


def test_schedule_a_meeting_and_see_it_synced(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """Bob schedules with Alice, the room and @webex: Google has it, and after the sync the card has the Webex link."""
    aw, url = site
    sign_in(page, url, BOB)
    page.click("#open-schedule")
    page.fill("#s-title", "Roadmap")
    day = _local(1, 10, 30)
    page.fill("#s-date", day.date().isoformat())
    page.fill("#s-time", "10:30")
    page.select_option("#s-duration", "45")
    _pick(page, "s-people", ALICE)
    _pick(page, "s-people", ROOM)
    page.select_option("#s-keyword", "@webex")
    page.fill("#s-location", "Floor 3")
    shot(page, "form")
    after(page, "scheduled", lambda: page.click("#schedule-form button[type='submit']"))
    assert page.locator("#schedule").is_hidden()
    assert "Roadmap" in page.locator("#status").inner_text()
    [created] = [e for e in aw.world.control.events(BOB) if e.get("summary") == "Roadmap"]
    assert created["location"] == "Floor 3 @webex"
    assert datetime.fromisoformat(created["start"]["dateTime"]) == day
    assert datetime.fromisoformat(created["end"]["dateTime"]) == day + timedelta(minutes=45)
    assert {a["email"] for a in created["attendees"]} == {ALICE, ROOM}
    assert any(e["id"] == created["id"] for e in aw.world.control.events(ALICE))
    aw.world.settle()  # push → sync → join details written → sync again
    after(page, "render", lambda: page.click("#next"))
    shown = card(page, created["id"])
    assert shown.locator("a.target").get_attribute("href").startswith("https://example.webex.com/")
    assert shown.locator(".location").inner_text() == "Floor 3 @webex · Room A"


def test_quick_add_from_one_line(page: Any, site: tuple[AppWorld, str]) -> None:
    """One line becomes a meeting at Google (events.quickAdd) and on the page."""
    aw, url = site
    sign_in(page, url, BOB)
    page.fill("#quick-text", "Lunch with Alice tomorrow 12:30")
    after(page, "scheduled", lambda: page.click("#quick-add button[type='submit']"))
    assert aw.world.count("calendar.events.quickAdd", BOB) == 1
    [created] = [e for e in aw.world.control.events(BOB) if e.get("summary", "").startswith("Lunch with Alice")]
    assert datetime.fromisoformat(created["start"]["dateTime"]) == _local(1, 12, 30)
    assert "Lunch with Alice" in page.locator("#status").inner_text()
    assert page.locator("#quick-text").input_value() == ""
    after(page, "render", lambda: page.click("#next"))
    card(page, created["id"]).wait_for()


def test_find_a_time_shows_busy_bars_and_free_slots(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """Alice is busy 10-11 tomorrow: her bar shows it, no suggestion overlaps it, and a slot opens a prefilled form."""
    aw, url = site
    busy = _local(1, 10)
    aw.meeting(ALICE, busy, 60, summary="Alice busy")
    sign_in(page, url, BOB)
    page.click("#open-find")
    _pick(page, "f-people", ALICE)
    page.fill("#f-date", busy.date().isoformat())
    after(page, "availability", lambda: page.click("#find-form button[type='submit']"))
    assert page.locator(".bar-row[data-email]").count() == 2
    bar = page.locator(f".bar-row[data-email='{ALICE}'] .busy")
    assert bar.count() == 1
    assert page.locator(f".bar-row[data-email='{BOB}'] .busy").count() == 0
    starts = [datetime.fromisoformat(s) for s in page.locator(".slot").evaluate_all("b => b.map(x => x.dataset.start)")]
    expected = [_local(1, h, m) for h, m in ((8, 0), (8, 30), (9, 0), (9, 30), (11, 0), (11, 30))]
    assert starts == expected
    shot(page, "find")
    page.locator(".slot").nth(4).click()
    assert page.locator("#schedule").is_visible()
    assert page.input_value("#s-time") == "11:00" and page.input_value("#s-date") == busy.date().isoformat()
    assert page.input_value("#s-duration") == "30"
    assert page.locator(f"#s-people .chips li[data-email='{ALICE}']").count() == 1
    assert aw.world.count("calendar.freebusy.query", BOB) == 1


def test_manage_delegates(page: Any, site: tuple[AppWorld, str], console: Console) -> None:
    """Bob grants Alice access and revokes it: one acl.insert, one acl.delete, and the list follows."""
    aw, url = site
    console.allow("status of 403")  # the outside delegate this test tries to add
    sign_in(page, url, BOB)
    after(page, "delegates", lambda: page.click("#open-delegates"))
    assert page.locator("#d-list li.empty").count() == 1
    page.fill("#d-email", ALICE)
    page.select_option("#d-role", "writer")
    after(page, "delegates", lambda: page.click("#delegates-form button[type='submit']"))
    entry = page.locator(f"#d-list li[data-email='{ALICE}']")
    assert "Make changes" in entry.inner_text()
    assert aw.world.count("calendar.acl.insert", BOB) == 1
    after(page, "delegates", lambda: entry.locator("button").click())
    assert page.locator("#d-list li.empty").count() == 1
    assert aw.world.count("calendar.acl.delete", BOB) == 1
    page.fill("#d-email", "zed@other.org")
    page.click("#delegates-form button[type='submit']")
    page.locator("#delegates .error:has-text('organisation')").wait_for()
    assert aw.world.count("calendar.acl.insert") == 1
