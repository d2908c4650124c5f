"""My presence badge on /app: every state with "until", the working location beside it, attendees' states, live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.ports.messages import PresenceChanged
from tests.app.conftest import ALICE, BOB, T0, AppWorld
from tests.browser.conftest import Shots
from tests.browser.pages import after, card, sign_in, wait_for
from tests.support.instant import z

pytestmark = pytest.mark.browser


def _set(aw: AppWorld, email: str, presence: Presence) -> None:
    """Store a presence as the presence worker does and announce it."""
    aw.app.stores.presence.put_presence(presence)
    aw.app.bus.send(PresenceChanged(org_id=presence.org_id, principal_id=presence.principal_id))
    aw.world.settle()


def _presence(aw: AppWorld, email: str, status: PresenceStatus, **fields: Any) -> Presence:
    org = aw.world.org.id
    return Presence(org, aw.app.stores.principals.principal_id(org, email), status, **fields)


def _badge(page: Any) -> tuple[str, str, str]:
    """The badge's state, its text, and the working location beside it ("" when hidden)."""
    where = page.locator("#where")
    shown = "" if where.is_hidden() else where.inner_text()
    return page.locator("#presence").get_attribute("data-status"), page.locator("#presence").inner_text(), shown


def _time(page: Any, when: Any, day: bool = False) -> str:
    """How the page writes ``when`` (its zone and locale): the time, with the day when it is not today."""
    return str(page.evaluate("([iso, day]) => (day ? HC.shortDay(iso) + ' ' : '') + HC.time(iso)", [z(when), day]))


def test_my_badge_follows_every_state_live_from_the_stream(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """A focus block synced now turns the badge to do not disturb with its end; other states follow live."""
    aw, url = site
    sign_in(page, url, BOB)
    wait_for(page, "mypresence")
    assert _badge(page) == ("available", "Available", "")

    focus = {"eventType": "focusTime", "start": {"dateTime": z(T0 - timedelta(minutes=5))}}
    focus["end"] = {"dateTime": z(T0 + timedelta(minutes=55))}
    with aw.world.http(BOB) as http:
        assert http.post("/calendar/v3/calendars/primary/events", json=focus).status_code == 200
    after(page, "mypresence", aw.world.settle)  # the sync decides presence again; the stream carries it
    assert _badge(page) == ("do_not_disturb", f"Do not disturb until {_time(page, T0 + timedelta(minutes=55))}", "")
    shot(page, "do-not-disturb")

    office = "office|Berlin 4F"
    meeting = _presence(
        aw,
        BOB,
        PresenceStatus.IN_MEETING,
        since=T0,
        until=T0 + timedelta(minutes=30),
        source=PresenceSource.CALENDAR_EVENT,
        working_location=office,
    )
    after(page, "mypresence", lambda: _set(aw, BOB, meeting))
    until = _time(page, T0 + timedelta(minutes=30))
    assert _badge(page) == ("in_meeting", f"In a meeting until {until}", "Office · Berlin 4F")
    shot(page, "in-meeting-office")

    away = _presence(
        aw,
        BOB,
        PresenceStatus.OUT_OF_OFFICE,
        message="Back Monday",
        since=T0,
        until=T0 + timedelta(days=3),
        source=PresenceSource.GMAIL_VACATION,
        working_location="home|",
    )
    after(page, "mypresence", lambda: _set(aw, BOB, away))
    back = _time(page, T0 + timedelta(days=3), day=True)
    assert _badge(page) == ("out_of_office", f"Out of office: Back Monday until {back}", "Home")

    free = _presence(aw, BOB, PresenceStatus.AVAILABLE, working_location="custom|Lisbon coworking")
    after(page, "mypresence", lambda: _set(aw, BOB, free))
    assert _badge(page) == ("available", "Available", "Lisbon coworking")


def test_attendees_show_in_a_meeting_and_do_not_disturb_beside_their_names(
    page: Any, site: tuple[AppWorld, str], shot: Shots
) -> None:
    """Alice in a meeting, then in do not disturb: the attendee mark beside her name follows."""
    aw, url = site
    busy = _presence(aw, ALICE, PresenceStatus.IN_MEETING, since=T0, until=T0 + timedelta(minutes=30))
    aw.app.stores.presence.put_presence(busy)
    event = aw.meeting(BOB, T0 + timedelta(minutes=40), guests=(ALICE,), summary="Design review")
    sign_in(page, url, BOB)
    person = card(page, event["id"]).locator(f"li.person[data-email='{ALICE}']")
    page.locator(f"li.person[data-email='{ALICE}'][data-presence='in_meeting']").wait_for()
    assert person.locator(".state").inner_text() == "In a meeting"
    aw.app.stores.presence.put_presence(_presence(aw, ALICE, PresenceStatus.DO_NOT_DISTURB, since=T0))
    after(page, "presence", lambda: page.click("#today"))
    page.locator(f"li.person[data-email='{ALICE}'][data-presence='do_not_disturb']").wait_for()
    assert person.locator(".state").inner_text() == "Do not disturb"
    shot(page, "attendees")
