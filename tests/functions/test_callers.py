"""Each non-public function checks its caller itself: the admin token, or its platform caller's OIDC token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.registry import ENTRY_POINTS
from shared.config import Settings
from tests.support.pump import USERS, PumpWorld, make_pump_world

AUDIENCE = "https://caller-check.test"
SCHEDULER = "hybrid-calendar-scheduler@proj-x.iam.gserviceaccount.com"
PUSH = "hybrid-calendar-push@proj-x.iam.gserviceaccount.com"
INVOKED = [ep.name for ep in ENTRY_POINTS if ep.trigger in ("scheduled", "pubsub")]
SCHEDULED = [ep.name for ep in ENTRY_POINTS if ep.trigger == "scheduled"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PumpWorld]:
    """Every function in one process on the embedded App (admin token only)."""
    w = make_pump_world(tmp_path)
    yield w
    w.close()


@pytest.fixture
def invoked(tmp_path: Path) -> Iterator[PumpWorld]:
    """The same, told the audience and accounts of its platform callers' OIDC tokens."""

    def configure(settings: Settings) -> Settings:
        return settings.with_overrides(invoker_audience=AUDIENCE, invokers=(SCHEDULER, PUSH))

    w = make_pump_world(tmp_path, configure)
    yield w
    w.close()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong-token",
        "Basic cHVtcC1hZG1pbi10b2tlbjo=",
        "Bearer ",
        "pump-admin-token",
        "Bearer " + "x" * 9000,
    ],
)
def test_admin_api_refuses_every_call_without_the_admin_token(world: PumpWorld, header: str | None) -> None:
    """GET /admin/v1/orgs without the token, with a wrong one or in another scheme is a 401 JSON answer."""
    response = world.functions.call("admin_api", "GET", "/admin/v1/orgs", headers={"Authorization": header or ""})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"
    assert "orgs" not in response.get_json()


def test_admin_api_answers_the_admin_token(world: PumpWorld) -> None:
    """With ``Authorization: Bearer <admin token>`` the org list comes back."""
    response = world.functions.call("admin_api", "GET", "/admin/v1/orgs")
    assert response.status_code == 200 and response.get_json() == {"orgs": []}


def test_admin_api_is_closed_when_no_token_is_configured(tmp_path: Path) -> None:
    """With HYBRIDCAL_ADMIN_TOKEN unset, no bearer value opens the admin API (not even an empty one)."""
    w = make_pump_world(tmp_path, lambda s: s.with_overrides(admin_token=None))
    try:
        for header in ("", "Bearer ", "Bearer None"):
            response = w.functions.call("admin_api", "GET", "/admin/v1/orgs", headers={"Authorization": header})
            assert response.status_code == 401
            assert "HYBRIDCAL_ADMIN_TOKEN" in response.get_json()["error"]["message"]
    finally:
        w.close()


@pytest.mark.parametrize("name", INVOKED)
def test_scheduled_and_pubsub_functions_refuse_anonymous_callers(world: PumpWorld, name: str) -> None:
    """A scheduled or Pub/Sub function answers 401 to no credentials and to a wrong bearer value."""
    for header in ("", "Bearer wrong-token"):
        response = world.functions.call(name, "POST", "/", data=b"{}", headers={"Authorization": header})
        assert response.status_code == 401, name
        assert response.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("name", INVOKED)
def test_the_platform_callers_oidc_token_is_accepted(invoked: PumpWorld, name: str) -> None:
    """A Google-signed token for the function's audience from the scheduler or push account gets past the check."""
    world = invoked
    account = SCHEDULER if name in SCHEDULED else PUSH
    token = world.id_token(AUDIENCE, service_account=account)
    response = world.functions.call(name, "POST", "/", data=b"{}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code != 401, response.get_json()


@pytest.mark.parametrize("name", SCHEDULED)
def test_oidc_tokens_for_another_audience_or_account_are_refused(invoked: PumpWorld, name: str) -> None:
    """A token for another audience, from another service account, or a user's token is a 401."""
    world = invoked
    other_audience = world.id_token("https://another-function.test", service_account=SCHEDULER)
    other_account = world.id_token(AUDIENCE, service_account="intruder@proj-x.iam.gserviceaccount.com")
    user = world.id_token(AUDIENCE, user=USERS[0]["email"])
    for token in (other_audience, other_account, user):
        response = world.functions.call(name, "POST", "/", data=b"{}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


@pytest.mark.parametrize("name", SCHEDULED)
def test_scheduled_functions_take_post_only(world: PumpWorld, name: str) -> None:
    """GET on a scheduled function is a 405 even for an authorised caller; it never runs the job."""
    response = world.functions.call(name, "GET", "/")
    assert response.status_code == 405


def test_public_functions_need_no_admin_token(world: PumpWorld) -> None:
    """The webhook and the app API are public: they answer on their own terms (400 and 401 here), never ask for it."""
    webhook = world.functions.call("calendar_webhook", "POST", "/", headers={"Authorization": ""})
    assert webhook.status_code == 400
    meetings = world.functions.call("meetings_api", "GET", "/v1/me/meetings", headers={"Authorization": ""})
    assert meetings.status_code == 401
    assert "admin token" not in meetings.get_json()["error"]["message"]
