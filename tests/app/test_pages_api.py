"""The routes the pages need: my profile with strings, people with presence, delegates, the device's session."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from tests.app.conftest import ALICE, BOB, CAROL, ROOM, ROOM2, T0, ZED, AppWorld
from tests.support.instant import z


def test_my_profile_has_my_zone_locale_lead_keywords_the_services_time_and_strings(aw: AppWorld) -> None:
    """Alice (de, Berlin) gets German strings; Bob (en) none, since the ids are the English text."""
    alice = aw.get("/v1/me", aw.user(ALICE)).get_json()
    assert (alice["email"], alice["time_zone"], alice["locale"], alice["language"]) == (
        ALICE,
        "Europe/Berlin",
        "de",
        "de",
    )
    assert alice["now"] == z(T0) and alice["lead_minutes"] == 5 and "@webex" in alice["keywords"]
    assert alice["strings"]["Today"] == "Heute" and alice["strings"]["Join {title}"] == "{title} beitreten"
    bob = aw.get("/v1/me", aw.user(BOB)).get_json()
    assert (bob["time_zone"], bob["language"], bob["strings"]) == ("America/New_York", "en", {})
    assert aw.get("/v1/me", aw.device(ROOM)[1]).status_code == 403


def test_people_search_and_lookup_with_presence(aw: AppWorld) -> None:
    """A search finds active people of my org only; a lookup answers their presence and leaves others out."""
    org = aw.world.org.id
    alice = aw.app.stores.principals.principal_id(org, ALICE)
    aw.app.stores.presence.put_presence(
        Presence(org, alice, PresenceStatus.OUT_OF_OFFICE, "Back Monday", T0, None, PresenceSource.GMAIL_VACATION)
    )
    everyone = aw.get("/v1/people", aw.user(BOB)).get_json()["people"]
    assert [p["email"] for p in everyone] == [ALICE, BOB]  # not Carol (not activated), rooms or other orgs
    found = aw.get("/v1/people?q=ALI", aw.user(BOB)).get_json()["people"]
    assert [(p["email"], p["presence"]["status"], p["presence"]["message"]) for p in found] == [
        (ALICE, "out_of_office", "Back Monday")
    ]
    asked = f"/v1/people?email={BOB}&email={ALICE}&email={CAROL}&email={ZED}&email={ROOM}"
    looked = aw.get(asked, aw.user(BOB)).get_json()["people"]
    assert [p["email"] for p in looked] == [BOB, ALICE]
    assert aw.get("/v1/people?q=" + "x" * 101, aw.user(BOB)).status_code == 400
    many = "&".join(f"email=p{i}@example.com" for i in range(101))
    assert aw.get(f"/v1/people?{many}", aw.user(BOB)).status_code == 400
    assert aw.get(f"/v1/people?q={ALICE}", aw.user(ZED)).get_json()["people"] == []


def test_delegates_are_listed_from_the_calendars_acl(aw: AppWorld) -> None:
    """After a grant the list shows it with its role; after the revocation it is gone; my own rule never shows."""
    bob = aw.user(BOB)
    assert aw.get("/v1/me/delegates", bob).get_json() == {"delegates": []}
    assert aw.post("/v1/me/delegates", {"email": ALICE, "role": "writer"}, bob).status_code == 201
    listed = aw.get("/v1/me/delegates", bob).get_json()["delegates"]
    assert [(d["email"], d["role"]) for d in listed] == [(ALICE, "writer")]
    assert aw.client.delete(f"/v1/me/delegates/{ALICE}", headers=bob).status_code == 204
    assert aw.get("/v1/me/delegates", bob).get_json() == {"delegates": []}
    assert aw.world.count("calendar.acl.list", BOB) == 3


def test_the_device_session_names_the_room_not_the_device(aw: AppWorld) -> None:
    """Activation read the room's calendar name and zone; the session answers them with the org's language."""
    device_id, headers = aw.device(ROOM)
    session = aw.get("/device/session", headers).get_json()
    assert (session["device_id"], session["room"], session["time_zone"]) == (device_id, "Room A", "UTC")
    device = aw.app.stores.devices.get_device(device_id)
    assert device is not None and session["name"] == device.name != "Room A"
    assert session["now"] == z(T0) and session["lead_minutes"] == 5
    assert (session["locale"], session["language"], session["strings"]) == ("en", "en", {})
    assert session["today"] == aw.get(f"/v1/devices/{device_id}/meetings", headers).get_json()
    assert aw.get("/device/session", aw.device(ROOM2)[1]).get_json()["room"] == "Room B"
    assert aw.world.count("calendar.calendars.get") == 2  # once per room, at activation
    aw.world.clock.advance(timedelta(minutes=1))
    assert aw.get("/device/session", headers).get_json()["now"] == z(T0 + timedelta(minutes=1))
    assert aw.world.count("calendar.calendars.get") == 2


def test_the_sign_in_page_speaks_the_browsers_language(aw: AppWorld) -> None:
    """Before anyone signs in, Accept-Language chooses the strings of the sign-in page."""
    config = aw.get("/app/config", {"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}).get_json()
    assert config["language"] == "fr" and config["strings"]["Sign in"] == "Se connecter"
    assert aw.get("/app/config").get_json()["language"] == "en"
