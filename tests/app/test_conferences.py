"""POST /v1/conferences refuses bad input with the add-on's error codes, a JSON body, and nothing created."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from msgspec.structs import replace

from emulator.testing import access_token
from shared.adapters.google.http import RetryPolicy
from shared.config import GOOGLE_SCOPES
from tests.app.conftest import ALICE, BOB, EMULATOR_URL, T0, ZED, AppWorld, build_app_world
from tests.support import addon
from tests.support.lifetime import checked_world


@pytest.fixture
def aw(tmp_path: Path) -> Iterator[AppWorld]:
    """The app world whose service accepts the add-on's client id."""
    w = build_app_world(tmp_path, lambda s: replace(s, addon_client_ids=("other-id", addon.ADDON_CLIENT)))
    with checked_world(w.world):
        yield w


def _token(aw: AppWorld, email: str = ALICE, audience: str = addon.ADDON_CLIENT) -> str:
    return aw.id_token(email, audience=audience)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error: dict[str, Any] = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def _nothing_held(aw: AppWorld, event_id: str, email: str = ALICE) -> None:
    pid = aw.app.stores.principals.principal_id(aw.world.org.id, email)
    assert aw.app.meeting_records.get(aw.world.org.id, pid, event_id) is None
    assert all(d["event_id"] != event_id for d in aw.app.stores.decisions.list_decisions(aw.world.org.id, pid))


def _event(aw: AppWorld, organizer: str, guests: tuple[str, ...] = ()) -> dict[str, Any]:
    return aw.meeting(organizer, T0 + timedelta(hours=2), guests=guests, location="")


def _zeds_event(aw: AppWorld) -> dict[str, Any]:
    """An event Zed (of the other org) organises with Alice invited, made with his org's own key."""
    key = aw.world.control.create_service_account("other.org", list(GOOGLE_SCOPES))
    transport = httpx.WSGITransport(app=aw.world.emulator)
    with httpx.Client(transport=transport, base_url=EMULATOR_URL) as http:
        token = access_token(http, key, ZED, list(GOOGLE_SCOPES))
        body = {
            "summary": "Vendor call",
            "start": {"dateTime": (T0 + timedelta(hours=3)).isoformat()},
            "end": {"dateTime": (T0 + timedelta(hours=4)).isoformat()},
            "attendees": [{"email": ALICE}],
        }
        created = http.post(
            "/calendar/v3/calendars/primary/events", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    created.raise_for_status()
    aw.world.settle()
    return dict(created.json())


def test_no_or_wrong_credentials_are_401_with_the_settings_link(aw: AppWorld) -> None:
    """No token, a device token, garbage, another audience or an expired token: 401 unauthenticated, nothing held."""
    body = addon.body(ALICE, "abcdef12345")
    device = aw.device("room-a@example.com")[1]["Authorization"]
    cases = [
        addon.ask(aw.client, None, body),
        aw.client.post("/v1/conferences", json=body, headers={"Authorization": device}),
        addon.ask(aw.client, "not-a-jwt", body),
        addon.ask(aw.client, _token(aw, audience="somebody-else"), body),
    ]
    short = aw.id_token(ALICE, audience=addon.ADDON_CLIENT, lifetime=60)
    aw.world.clock.advance(timedelta(minutes=10))  # the service checks expiry on its own clock
    cases.append(addon.ask(aw.client, short, body))
    for response in cases:
        error = _error(response, 401, "unauthenticated")
        assert error["settings_url"] == "http://hybrid-calendar.test/app"
    _nothing_held(aw, "abcdef12345")


def test_the_add_on_audience_is_accepted_on_this_route_only(aw: AppWorld) -> None:
    """Tokens for either add-on client id, or the app's, get a conference; the add-on's token opens no other route."""
    for audience in (addon.ADDON_CLIENT, "other-id", "hybrid-calendar"):
        event = _event(aw, ALICE)
        answer = addon.ask(aw.client, _token(aw, audience=audience), addon.body(ALICE, event["id"]))
        assert answer.status_code == 200 and answer.get_json()["conference_id"] == "pmr:alice", audience
    other = aw.get("/v1/me", {"Authorization": f"Bearer {_token(aw)}"})
    assert other.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        [],
        {},
        addon.body(ALICE, "abcdef12345", solution="zoom"),
        addon.body(ALICE, "abcdef12345", extra="x"),
        addon.body(ALICE, "bad id!"),
        addon.body("not-an-address", "abcdef12345"),
        addon.body(ALICE, "abcdef12345", request_id=""),
        addon.body(ALICE, "abcdef12345", request_id=5),
        {k: v for k, v in addon.body(ALICE, "abcdef12345").items() if k != "request_id"},
    ],
)
def test_bad_bodies_are_400_invalid_input(aw: AppWorld, payload: Any) -> None:
    """Not JSON, wrong shape, an unknown solution or field, a bad id or request id: 400, nothing held."""
    if isinstance(payload, str):
        headers = {"Authorization": f"Bearer {_token(aw)}", "Content-Type": "application/json"}
        response = aw.client.post("/v1/conferences", data=payload, headers=headers)
    else:
        response = addon.ask(aw.client, _token(aw), payload)
    _error(response, 400, "invalid_input")
    _nothing_held(aw, "abcdef12345")


def test_calendars_and_events_that_are_not_the_callers_are_refused(aw: AppWorld) -> None:
    """Another org's calendar or event and an unknown calendar are 404; a colleague's calendar or copy is 403."""
    zeds = _zeds_event(aw)
    bobs = _event(aw, BOB, guests=(ALICE,))
    token = _token(aw)
    _error(addon.ask(aw.client, token, addon.body(ZED, zeds["id"])), 404, "not_found")
    _error(addon.ask(aw.client, token, addon.body("nobody@example.com", "abcdef12345")), 404, "not_found")
    _error(addon.ask(aw.client, token, addon.body(ALICE, zeds["id"])), 404, "not_found")
    forbidden = _error(addon.ask(aw.client, token, addon.body(BOB, bobs["id"])), 403, "forbidden")
    assert "settings_url" not in forbidden
    copy = _error(addon.ask(aw.client, token, addon.body(ALICE, bobs["id"])), 403, "forbidden")
    assert copy["hint"] == "Only the organiser adds a conference to an event."
    for event_id in (zeds["id"], bobs["id"]):
        _nothing_held(aw, event_id)
    _nothing_held(aw, bobs["id"], BOB)


def test_a_replayed_request_id_with_another_body_is_a_conflict(aw: AppWorld) -> None:
    """The same request id again for the same event answers the same; with another event or solution it is 409."""
    first, second = _event(aw, ALICE), _event(aw, ALICE)
    token = _token(aw)
    original = addon.body(ALICE, first["id"])
    answer = addon.ask(aw.client, token, original)
    assert answer.status_code == 200
    assert addon.ask(aw.client, token, original).get_json() == answer.get_json()
    moved = {**original, "event_id": second["id"]}
    _error(addon.ask(aw.client, token, moved), 409, "conflict")
    _nothing_held(aw, second["id"])
    other_kind = {**original, "solution": "webex_space"}
    _error(addon.ask(aw.client, token, other_kind), 409, "conflict")
    pid = aw.app.stores.principals.principal_id(aw.world.org.id, ALICE)
    held = aw.app.meeting_records.get(aw.world.org.id, pid, first["id"])
    assert held is not None and held.details.reference == "pmr:alice"


def test_a_kind_the_org_does_not_offer_is_409_solution_not_offered(aw: AppWorld) -> None:
    """An org whose keywords give personal rooms only refuses the space solution, and holds nothing."""
    aw.app.stores.orgs.put_org(replace(aw.world.org, keywords={"@webex": "personal_room"}))
    event = _event(aw, ALICE)
    error = _error(
        addon.ask(aw.client, _token(aw), addon.body(ALICE, event["id"], "webex_space")), 409, ("solution_not_offered")
    )
    assert error["hint"]
    _nothing_held(aw, event["id"])


@pytest.mark.parametrize(("fault", "status", "code"), [(503, 503, "unavailable"), (429, 429, "rate_limited")])
def test_google_trouble_is_a_retry_later_with_retry_after(aw: AppWorld, fault: int, status: int, code: str) -> None:
    """When Calendar fails the event read (past the client's retries), the add-on is told to try again later."""
    google = aw.app.google.http
    google.policy = RetryPolicy(max_attempts=1)  # no backoff to wait through: the first failure is the last
    aw.world.control.set_faults("calendar.events.get", failNext=[fault], retryAfter=7)
    response = addon.ask(aw.client, _token(aw), addon.body(ALICE, "abcdef12345"))
    assert aw.world.count("calendar.events.get") == 1
    _error(response, status, code)
    assert response.headers["Retry-After"] == "7"  # Google's own Retry-After, passed on
    aw.world.control.clear_faults()
    _nothing_held(aw, "abcdef12345")
