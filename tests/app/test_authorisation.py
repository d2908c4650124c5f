"""The authorisation matrix, route by route: anonymous, other users, other orgs, other rooms, private events."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from msgspec.structs import replace

from shared.api import app as app_routes
from shared.domain.meetings import Attendee, Meeting, ResponseStatus
from tests.app.conftest import ALICE, BOB, CAROL, ROOM, ROOM2, T0, ZED, AppWorld
from tests.support.instant import z

GUARDED = [
    (method.upper(), path, op["security"])
    for path, item in app_routes.router.document()["paths"].items()
    for method, op in item.items()
    if op.get("security")
]


def _path(template: str, **values: str) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), "x"), template)


def _call(aw: AppWorld, method: str, path: str, headers: dict[str, str], body: object = None) -> tuple[int, str]:
    response = aw.client.open(path, method=method, headers=headers, json=body if method == "POST" else None)
    return response.status_code, response.get_data(as_text=True)


def _denied(status: int, text: str, *secrets: str) -> None:
    assert status in (401, 403, 404), (status, text)
    assert "error" in json.loads(text)
    for secret in secrets:
        assert secret not in text


def test_every_route_declares_who_may_call_it() -> None:
    """Every /v1 route except the OpenAPI document needs a user or a device (deny by default)."""
    assert len(GUARDED) == 20  # with the two room check-in routes and the room display's presence
    assert all(security in ([{"idToken": []}], [{"deviceToken": []}]) for _, _, security in GUARDED)
    served = {r.rule for r in app_routes.router.app().url_map.iter_rules() if r.rule.startswith("/v1/")}
    assert len(served) == len({path for _, path, _ in GUARDED}) + 1  # and /v1/openapi.json


@pytest.mark.parametrize(("method", "template", "security"), GUARDED, ids=lambda o: str(o))
def test_anonymous_and_garbage_credentials_get_401(aw: AppWorld, method: str, template: str, security: object) -> None:
    """Without credentials, with a malformed token or an unknown device token, every route answers 401 JSON."""
    path = _path(template, device_id=aw.device(ROOM)[0], email=BOB, event_id="abc")
    for headers in (
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Device nope"},
        {"Authorization": "Basic dXNlcjpwdw=="},
    ):
        status, text = _call(aw, method, path, headers, {})
        assert status == 401, (headers, text)
        assert json.loads(text)["error"]["code"] == "unauthenticated"


def test_another_user_never_sees_my_meeting(aw: AppWorld) -> None:
    """Alice's private meeting with the room is 404 for Bob: get, delete, RSVP; his list leaves it out."""
    event = aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(ROOM,), summary="Secret plan")
    bob = aw.user(BOB)
    for method, suffix, body in (("GET", "", None), ("DELETE", "", None), ("POST", "/rsvp", {"response": "accepted"})):
        status, text = _call(aw, method, f"/v1/me/meetings/{event['id']}{suffix}", bob, body)
        assert status == 404
        _denied(status, text, "Secret plan")
    listing = aw.get("/v1/me/meetings", bob)
    assert listing.status_code == 200 and "Secret plan" not in listing.get_data(as_text=True)
    assert aw.get(f"/v1/me/meetings/{event['id']}", aw.user(ALICE)).status_code == 200


def test_another_org_reaches_nothing_of_ours(aw: AppWorld) -> None:
    """Zed (other.org) cannot read our people's presence, free/busy, meetings or make them delegates."""
    event = aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(BOB,), summary="Internal")
    zed = aw.user(ZED)
    checks = [
        ("GET", f"/v1/people/{ALICE}/presence", None),
        ("POST", "/v1/availability", {"emails": [ALICE], "from": z(T0), "to": z(T0 + timedelta(days=1))}),
        ("GET", f"/v1/me/meetings/{event['id']}", None),
        ("POST", "/v1/me/delegates", {"email": ALICE}),
        ("DELETE", f"/v1/me/delegates/{ALICE}", None),
    ]
    for method, path, body in checks:
        status, text = _call(aw, method, path, zed, body)
        _denied(status, text, "Internal")
    assert aw.world.count("calendar.freebusy.query") == 0
    assert aw.world.count("calendar.acl.insert") == 0


def test_devices_see_only_their_own_room(aw: AppWorld) -> None:
    """Room B's device is refused on room A's routes; people and devices cannot use each other's routes."""
    aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(ROOM,), summary="Room A only")
    room_a, _ = aw.device(ROOM)
    _, room_b_headers = aw.device(ROOM2)
    for suffix in ("meetings", "stream"):
        status, text = _call(aw, "GET", f"/v1/devices/{room_a}/{suffix}", room_b_headers)
        assert status == 403
        _denied(status, text, "Room A only")
        status, text = _call(aw, "GET", f"/v1/devices/{room_a}/{suffix}", aw.user(ALICE))
        _denied(status, text, "Room A only")
    status, text = _call(aw, "GET", "/v1/me/meetings", aw.device(ROOM)[1])
    assert status == 403
    ok = aw.get(f"/v1/devices/{room_a}/meetings", aw.device(ROOM, 1)[1])
    assert ok.status_code == 403  # the codec's token is not the display's device id
    mine = aw.get(f"/v1/devices/{room_a}/meetings", aw.device(ROOM)[1])
    assert mine.status_code == 200 and [m["title"] for m in mine.get_json()["meetings"]] == ["Room A only"]


def test_id_tokens_are_checked_for_audience_expiry_activation_and_signature(aw: AppWorld) -> None:
    """Wrong audience, expired, not activated, tampered: 401 or 403 and never data."""
    aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(BOB,), summary="Hidden")
    wrong_audience = {"Authorization": f"Bearer {aw.id_token(BOB, audience='someone-else')}"}
    status, text = _call(aw, "GET", "/v1/me/meetings", wrong_audience)
    assert status == 401 and "audience" in json.loads(text)["error"]["message"]
    carol = {"Authorization": f"Bearer {aw.id_token(CAROL)}"}
    status, text = _call(aw, "GET", "/v1/me/meetings", carol)
    assert status == 403
    token = aw.id_token(BOB)
    head, body, sig = token.split(".")
    tampered = {"Authorization": f"Bearer {head}.{body}.{sig[:-4]}AAAA"}
    assert _call(aw, "GET", "/v1/me/meetings", tampered)[0] == 401
    short = {"Authorization": f"Bearer {aw.id_token(BOB, lifetime=60)}"}
    assert _call(aw, "GET", "/v1/me/meetings", short)[0] == 200
    aw.world.clock.advance(timedelta(minutes=3))
    status, text = _call(aw, "GET", "/v1/me/meetings", short)
    assert status == 401 and "expired" in text
    _denied(status, text, "Hidden")


def test_certificates_are_fetched_once_and_cached(aw: AppWorld) -> None:
    """Many verified requests fetch the issuer's certificates once."""
    for email in (ALICE, BOB, ALICE, BOB):
        assert aw.get("/v1/me/presence", aw.user(email)).status_code == 200
    assert aw.app.authenticator.verifier.certs.fetches == 1


def _private_meeting(aw: AppWorld) -> dict[str, object]:
    """Alice's private meeting with Bob and room A, with an agenda."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB, ROOM), summary="Reorg talks")
    aw.patch(ALICE, str(event["id"]), {"visibility": "private", "description": "Agenda: who moves where"})
    return event


def test_a_private_meeting_shows_its_details_to_its_attendees_only(aw: AppWorld) -> None:
    """Organiser and attendee see title, organiser and agenda; the room's device sees "Private meeting" times only."""
    event = _private_meeting(aw)
    for email in (ALICE, BOB):
        mine = aw.get(f"/v1/me/meetings/{event['id']}", aw.user(email)).get_json()
        assert (mine["title"], mine["organizer"], mine["visibility"]) == ("Reorg talks", ALICE, "private")
        assert "who moves where" in mine["agenda"] and not mine["details_hidden"]
    device_id, headers = aw.device(ROOM)
    answer = aw.get(f"/v1/devices/{device_id}/meetings", headers)
    [shown] = answer.get_json()["meetings"]
    assert shown["details_hidden"] and shown["visibility"] == "private"
    assert (shown["title"], shown["organizer"], shown["agenda"], shown["attendees"], shown["location"]) == (
        "",
        None,
        "",
        [],
        "",
    )
    assert shown["start"] == mine["start"] and shown["join_target"] == mine["join_target"]
    text = answer.get_data(as_text=True)
    for secret in ("Reorg talks", "who moves where", ALICE, BOB):
        assert secret not in text


def test_a_private_meetings_join_buttons_carry_no_title_to_devices(aw: AppWorld) -> None:
    """The devices' join-button notices of a private meeting have no title; the attendees' have it."""
    _private_meeting(aw)
    assert aw.app.join_buttons.dispatch().sent == 4
    org = aw.world.org.id
    titles = {
        (s.notice.recipient_kind.value, s.notice.title)
        for s in aw.app.stores.notices.live_notices(org, T0 - timedelta(days=1))
    }
    assert titles == {("person", "Reorg talks"), ("device", "")}


def test_a_private_meeting_on_my_calendar_without_me_on_its_guest_list_is_hidden(aw: AppWorld) -> None:
    """A private meeting that reached Bob's calendar through a group, not by name, shows him no details."""
    org = aw.world.org.id
    bob = aw.app.stores.principals.principal_id(org, BOB)
    start = T0 + timedelta(hours=2)
    group = Meeting(
        org_id=org,
        principal_id=bob,
        event_id="groupinvite1",
        start=start,
        end=start + timedelta(minutes=30),
        title="Board only",
        organizer=ALICE,
        attendees=(Attendee(ALICE, ResponseStatus.ACCEPTED), Attendee("board@example.com")),
        agenda="Acquisition",
        visibility="private",
    )
    aw.app.stores.meetings.put_meetings([group], T0)
    shown = aw.get("/v1/me/meetings/groupinvite1", aw.user(BOB)).get_json()
    assert shown["details_hidden"] and (shown["title"], shown["organizer"], shown["agenda"]) == ("", None, "")
    aw.app.stores.meetings.put_meetings([replace(group, visibility="default")], T0)
    assert aw.get("/v1/me/meetings/groupinvite1", aw.user(BOB)).get_json()["title"] == "Board only"
