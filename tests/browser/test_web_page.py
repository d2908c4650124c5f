"""The web page in headless Chromium: sign in, the day and week agenda, RSVP, join button and notification, stream."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.api.app_stream import StreamSettings
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from tests.app.conftest import ALICE, BOB, MEET, ROOM, T0, AppWorld
from tests.browser.conftest import Console, Shots, open_page
from tests.browser.pages import after, card, count, device_token, move_clocks, open_device, sign_in, wait_for

pytestmark = pytest.mark.browser

# Records the notifications the page raises (the browser's own Notification, observed).
SPY = """
window.__notes = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) {
    super(title, options);
    window.__notes.push({ title, body: options.body, tag: options.tag });
  }
};
"""


def test_sign_in_shows_my_day_with_everything_a_meeting_needs(
    page: Any, site: tuple[AppWorld, str], shot: Shots
) -> None:
    """Bob's card: time, title, organiser, room, the join target as a link, attendees with presence and answers."""
    aw, url = site
    org = aw.world.org.id
    alice = aw.app.stores.principals.principal_id(org, ALICE)
    away = Presence(org, alice, PresenceStatus.OUT_OF_OFFICE, "Back Monday", T0, None, PresenceSource.GMAIL_VACATION)
    aw.app.stores.presence.put_presence(away)
    event = aw.meeting(BOB, T0 + timedelta(minutes=40), guests=(ALICE, ROOM), summary="Design review")
    sign_in(page, url, BOB)
    shown = card(page, event["id"])
    assert shown.locator("h3").inner_text() == "Design review"
    assert shown.locator(".organizer").inner_text() == BOB
    assert shown.locator(".location").inner_text() == "Room A"
    target = shown.locator("a.target")
    assert target.get_attribute("href") == MEET and target.inner_text() == "meet.google.com/abc-defg-hij"
    person = shown.locator(f"li.person[data-email='{ALICE}']")
    page.locator(f"li.person[data-email='{ALICE}'][data-presence='out_of_office']").wait_for()
    assert "Out of office" in person.inner_text() and "Awaiting answer" in person.inner_text()
    assert shown.locator("a.join").count() == 0  # forty minutes ahead: no join button yet
    assert page.locator(".now-line").count() == 1
    assert page.locator("#me").inner_text() == BOB and page.locator("#presence").inner_text() == "Available"
    shot(page, "day")


def test_rsvp_sends_my_answer_and_shows_it(page: Any, site: tuple[AppWorld, str]) -> None:
    """Bob accepts: Google has his answer, the card highlights it, and it is still there after a reload."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, ROOM), summary="Design review")
    sign_in(page, url, BOB)
    accepted = f"article.meeting[data-id='{event['id']}'] button[data-response='accepted']"
    after(page, "render", lambda: page.click(accepted))
    page.locator(f"{accepted}[aria-pressed='true']").wait_for()
    assert card(page, event["id"]).locator(".mine").inner_text() == "Your answer: Accepted"
    [copy] = [e for e in aw.world.control.events(ALICE) if e["id"] == event["id"]]
    assert {a["email"]: a["responseStatus"] for a in copy["attendees"]}[BOB] == "accepted"
    page.reload()
    wait_for(page, "render")
    page.locator(f"{accepted}[aria-pressed='true']").wait_for()


def test_week_view_and_navigation(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """The week view shows seven days with today's meeting; next week shows the meeting a week later; Today returns."""
    aw, url = site
    soon = aw.meeting(ALICE, T0 + timedelta(minutes=10), guests=(BOB,), summary="This week")
    later = aw.meeting(ALICE, T0 + timedelta(days=7, minutes=10), guests=(BOB,), summary="Next week")
    tomorrow = aw.meeting(ALICE, T0 + timedelta(days=1), guests=(BOB,), summary="Tomorrow")
    sign_in(page, url, BOB)
    assert card(page, soon["id"]).count() == 1 and card(page, tomorrow["id"]).count() == 0
    after(page, "render", lambda: page.click("#next"))
    assert card(page, tomorrow["id"]).count() == 1 and card(page, soon["id"]).count() == 0
    after(page, "render", lambda: page.click("#today"))
    after(page, "render", lambda: page.click("button[data-view='week']"))
    assert page.locator("section.day").count() == 7 and page.locator("section.day.today").count() == 1
    assert card(page, soon["id"]).count() == 1 and card(page, later["id"]).count() == 0
    assert page.locator("button[data-view='week'][aria-pressed='true']").count() == 1
    shot(page, "week", full_page=True)
    after(page, "render", lambda: page.click("#next"))
    assert card(page, later["id"]).count() == 1 and card(page, soon["id"]).count() == 0
    assert page.locator("section.day.today").count() == 0
    after(page, "render", lambda: page.click("#prev"))
    assert card(page, soon["id"]).count() == 1
    page.reload()  # the view is remembered
    wait_for(page, "render")
    assert page.locator("section.day").count() == 7


def test_join_button_and_its_notification_at_the_lead_time(
    browser: Any, console: Console, shot: Shots, site: tuple[AppWorld, str]
) -> None:
    """At the lead time the join button appears without a reload and a browser notification is raised, once."""
    aw, url = site
    context, page = open_page(browser, console, viewport={"width": 1280, "height": 800}, permissions=["notifications"])
    context.add_init_script(SPY)
    event = aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, ROOM), summary="Design review")
    sign_in(page, url, BOB)
    assert page.locator("#alerts").is_hidden()  # permission granted: nothing to ask
    shown = card(page, event["id"])
    assert shown.locator("a.join").count() == 0
    page.evaluate("window.__marker = 'no reload'")
    move_clocks(aw, 15)
    after(page, "notified", lambda: aw.app.join_buttons.dispatch())
    join = shown.locator("a.join")
    assert join.get_attribute("href") == MEET and join.inner_text() == "Join"
    assert page.evaluate("window.__marker") == "no reload"
    [note] = page.evaluate("window.__notes")
    assert note["title"] == "Join Design review" and note["body"].startswith("Starts at ")
    shot(page, "join")
    page.reload()  # the stream replays the join button; the notification is not raised again
    wait_for(page, "notices")
    assert page.evaluate("window.__notes") == [] and count(page, "notified") == 0
    shown.locator("a.join").wait_for()
    context.close()


def test_notifications_are_asked_for_once(page: Any, site: tuple[AppWorld, str]) -> None:
    """The page offers join alerts; once asked (whatever the answer) it does not ask again."""
    _, url = site
    sign_in(page, url, BOB)
    offer = page.locator("#alerts")
    assert offer.is_visible() and page.evaluate("Notification.permission") == "default"
    offer.click()
    offer.wait_for(state="hidden")
    page.reload()
    wait_for(page, "ready")
    assert offer.is_hidden() and page.evaluate("localStorage.getItem('hybridcal.notificationsAsked')") == "1"


def test_a_dropped_stream_reconnects_with_last_event_id(
    page: Any, site: tuple[AppWorld, str], console: Console
) -> None:
    """Streams end after their lifetime; the page reconnects with Last-Event-ID and gets only what is new."""
    aw, url = site
    console.allow("Failed to load resource: net::ERR_")  # the drops this test provokes
    aw.app.meetings_api.streams = StreamSettings(lifetime=0.5, poll=0.1, heartbeat=15.0, retry_ms=100)
    first = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,), summary="First")
    second = aw.meeting(ALICE, T0 + timedelta(minutes=30), guests=(BOB,), summary="Second")
    aw.app.join_buttons.dispatch()
    asked: list[str | None] = []
    page.on("request", lambda r: asked.append(r.headers.get("last-event-id")) if "/v1/me/stream" in r.url else None)
    sign_in(page, url, BOB)
    wait_for(page, "notices")
    card(page, first["id"]).locator("a.join").wait_for()
    seen = wait_for(page, "streams", 1)  # it dropped and came back
    assert asked[0] is None and asked[-1] is not None and asked[-1].endswith(tuple("0123456789abcdef"))
    move_clocks(aw, 25)
    after(page, "notices", lambda: aw.app.join_buttons.dispatch())
    card(page, second["id"]).locator("a.join").wait_for()
    wait_for(page, "streams", seen + 1)
    assert count(page, "notices") == 2  # nothing replayed twice across reconnects


@pytest.mark.parametrize("skew_days", [-45, 45])
def test_the_page_takes_today_from_the_service_not_the_device_clock(
    page: Any, site: tuple[AppWorld, str], skew_days: int
) -> None:
    """A laptop or panel whose clock is weeks off still shows the service's today on /app and /device."""
    aw, url = site
    event = aw.meeting(ALICE, T0 + timedelta(minutes=40), guests=(BOB, ROOM), summary="Clock check")
    page.clock.set_fixed_time(T0 + timedelta(days=skew_days))
    sign_in(page, url, BOB)
    card(page, event["id"]).wait_for()
    assert page.locator("section.day.today").count() == 1
    assert page.evaluate("new Date().getTime()") == int((T0 + timedelta(days=skew_days)).timestamp() * 1000)
    open_device(page, url, device_token(aw, ROOM))
    card(page, event["id"]).wait_for()
    assert page.locator("#featured-title").inner_text() == "Clock check"
