"""Language and accessibility: German strings and dates from the Calendar locale, axe-core on /app and /device."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.dates import format_date
from msgspec.structs import replace

from tests.app.conftest import ALICE, BOB, ROOM, T0, AppWorld
from tests.browser.conftest import Shots
from tests.browser.pages import after, card, device_token, open_device, sign_in, wait_for

pytestmark = pytest.mark.browser
BERLIN = "Europe/Berlin"  # Alice's Calendar time zone; her Calendar locale is German


def _serious(page: Any) -> list[str]:
    """The axe-core violations of impact serious or critical, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_app_speaks_german_for_a_german_calendar_locale(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """Alice's locale is de: the page's strings come from the German catalog and dates are formatted in German."""
    aw, url = site
    event = aw.meeting(BOB, T0 + timedelta(minutes=30), guests=(ALICE, ROOM), summary="Planung")
    sign_in(page, url, ALICE)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#today").inner_text() == "Heute"
    assert page.locator("button[data-view='week']").inner_text() == "Woche"
    assert page.locator("#open-schedule").inner_text() == "Neues Meeting"
    shown = card(page, event["id"])
    assert shown.locator("button[data-response='accepted']").inner_text() == "Zusagen"
    assert shown.locator("dt").first.inner_text() == "Organisator"
    local = T0.astimezone(ZoneInfo(BERLIN))
    assert format_date(local.date(), "EEEE, d. MMMM", locale="de") in page.locator("#range").inner_text()
    after(page, "render", lambda: shown.locator("button[data-response='accepted']").click())
    assert shown.locator(".mine").inner_text() == "Ihre Antwort: Zugesagt"
    shot(page, "de")


def test_the_room_display_speaks_the_orgs_language(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """A room has no Calendar locale of its own: the org's default (German here) chooses the display's strings."""
    aw, url = site
    org = aw.app.stores.orgs.get_org(aw.world.org.id)
    aw.app.stores.orgs.put_org(replace(org, default_locale="de"))
    aw.meeting(ALICE, T0 + timedelta(minutes=30), guests=(ROOM,), summary="Planung")
    open_device(page, url, device_token(aw, ROOM))
    assert page.locator("#state-label").inner_text() == "Verfügbar"
    assert page.locator(".featured .label").text_content() == "Als Nächstes"
    assert page.locator("#state-detail").inner_text().startswith("Frei bis ")
    assert page.locator("#rest-title").text_content() == "Heute"
    shot(page, "de")


def test_no_serious_accessibility_violations_on_app(page: Any, site: tuple[AppWorld, str], shot: Shots) -> None:
    """axe-core finds no serious or critical violation on /app: sign-in, the agenda with a join button, each dialog."""
    aw, url = site
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM), summary="Design review")
    aw.meeting(BOB, T0 + timedelta(hours=2), guests=(ALICE,), summary="One to one", location="Floor 3 @webex")
    aw.app.join_buttons.dispatch()
    page.goto(f"{url}/app")
    wait_for(page, "signin")
    assert _serious(page) == []
    after(page, "render", lambda: page.click(f"button[data-email='{BOB}']"))
    page.locator("a.join").first.wait_for()
    assert _serious(page) == []
    for opener, dialog in (("#open-schedule", "#schedule"), ("#open-find", "#find"), ("#open-delegates", "#delegates")):
        page.click(opener)
        page.locator(dialog).wait_for()
        assert _serious(page) == [], dialog
        page.keyboard.press("Escape")  # dialogs close from the keyboard
        page.locator(dialog).wait_for(state="hidden")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement && document.activeElement.tagName") in ("BUTTON", "INPUT", "A")


def test_no_serious_accessibility_violations_on_device(page: Any, site: tuple[AppWorld, str]) -> None:
    """axe-core finds no serious or critical violation on /device, free and with a Join button."""
    aw, url = site
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM), summary="Design review")
    open_device(page, url, device_token(aw, ROOM))
    assert _serious(page) == []
    after(page, "notices", lambda: aw.app.join_buttons.dispatch())
    page.locator("#current a.join").wait_for()
    assert _serious(page) == []
