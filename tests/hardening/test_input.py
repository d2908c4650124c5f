"""Findings 5, 7 and 8: bad headers and bodies are 400s with JSON, booleans are not integers, one org per domain."""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import ALICE
from tests.hardening.conftest import AppWorld

ADMIN = {"Authorization": "Bearer admin"}
DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _webhook(aw: AppWorld, channel: str, state: str = "exists") -> tuple[int, object]:
    headers = {"X-Goog-Channel-ID": channel, "X-Goog-Resource-ID": "res-1", "X-Goog-Resource-State": state}
    response = aw.client.post("/calendar_webhook", headers=headers, data=b"")
    return response.status_code, response.get_json()


@pytest.mark.parametrize("channel", ["a/b", "x" * 65, "chan id", "caf\u00e9", "../../orgs"])
def test_a_malformed_channel_id_is_400(aw: AppWorld, channel: str) -> None:
    """A channel id with a slash, a space, non-ASCII or 65 characters is a 400 with a JSON body, not a 500."""
    assert _webhook(aw, channel) == (400, {"result": "invalid_channel_headers"})


def test_an_unknown_resource_state_is_400(aw: AppWorld) -> None:
    """Only Google's resource states are accepted."""
    assert _webhook(aw, "chan-1", state="bogus") == (400, {"result": "invalid_channel_headers"})


def _json_routes(aw: AppWorld) -> list[tuple[str, str, dict[str, str]]]:
    user = aw.user(ALICE)
    return [
        ("POST", "/admin/v1/orgs", ADMIN),
        ("PATCH", "/admin/v1/orgs/example-com", ADMIN),
        ("POST", "/admin/v1/orgs/example-com/principals", ADMIN),
        ("POST", "/v1/me/meetings", user),
        ("POST", "/v1/me/meetings/some-event/rsvp", user),
        ("POST", "/v1/availability", user),
        ("POST", "/v1/me/delegates", user),
        ("POST", "/app/dev/sign-in", {}),  # unauthenticated
    ]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
def test_deeply_nested_json_is_400_on_every_json_route(aw: AppWorld, body: str) -> None:
    """JSON nested 1,000 levels deep is refused with a 400 and a JSON error on every route that reads JSON."""
    for method, path, headers in _json_routes(aw):
        response = aw.client.open(
            path, method=method, data=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400, (method, path, response.status_code)
        assert "nests deeper" in response.get_json()["error"]["message"], (method, path)


def test_oversized_json_is_400_on_every_json_route(aw: AppWorld) -> None:
    """A body over 256 KB is refused with a 400 and a JSON error everywhere."""
    big = json.dumps({"email": "x" * 300_000})
    for method, path, headers in _json_routes(aw):
        response = aw.client.open(
            path, method=method, data=big, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 400 and "larger than" in response.get_json()["error"]["message"], path


@pytest.mark.parametrize("value", [True, False, 5.0, "5"])
def test_settings_are_strict_no_boolean_or_string_is_an_integer(aw: AppWorld, value: object) -> None:
    """`{"join_lead_minutes": true}` (or 5.0, or "5") is a 400 and the stored setting is unchanged."""
    response = aw.client.patch("/admin/v1/orgs/example-com", json={"join_lead_minutes": value}, headers=ADMIN)
    assert response.status_code == 400 and "join_lead_minutes" in response.get_json()["error"]["message"]
    assert aw.client.get("/admin/v1/orgs/example-com", headers=ADMIN).get_json()["join_lead_minutes"] == 5
    assert (
        aw.client.patch("/admin/v1/orgs/example-com", json={"join_lead_minutes": 7}, headers=ADMIN).status_code == 200
    )


def test_one_org_per_domain_and_the_lookup_is_deterministic(aw: AppWorld) -> None:
    """A second org with a served domain is a 409; after a PATCH the domain still leads to the first org."""
    key = json.loads(aw.app.stores.orgs.service_account_key("example-com") or "{}")
    duplicate = {"id": "newcomer", "domain": "Example.com", "service_account_key": key}
    response = aw.client.post("/admin/v1/orgs", json=duplicate, headers=ADMIN)
    assert response.status_code == 409 and "example.com" in response.get_json()["error"]["message"]
    assert aw.client.get("/admin/v1/orgs/newcomer", headers=ADMIN).status_code == 404
    assert (
        aw.client.patch("/admin/v1/orgs/example-com", json={"join_lead_minutes": 3}, headers=ADMIN).status_code == 200
    )
    found = aw.app.stores.orgs.org_by_domain("example.com")
    assert found is not None and found.id == "example-com"
    assert aw.get("/v1/me/meetings", headers=aw.user(ALICE)).status_code == 200  # Alice's org still serves her
