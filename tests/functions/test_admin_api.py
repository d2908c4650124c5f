"""admin_api through functions-framework: orgs, principals, validation of input, errors as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build, set_app
from shared.clock import ManualClock
from shared.config import Settings
from shared.documents import Query
from shared.ports import BusMessage
from shared.ports.messages import ProvisionUser
from shared.runtime.server import LocalRuntime, main_source
from shared.topics import USER_PROVISIONING

KEY = {
    "type": "service_account",
    "client_email": "svc@proj.iam.gserviceaccount.com",
    "client_id": "1234567890",
    "private_key": "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n",
}


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> Iterator[App]:
    application = build(settings, clock=clock, bus=LocalBus(workers=1))
    set_app(application)
    yield application
    set_app(None)
    application.close()


@pytest.fixture
def queued(app: App) -> list[BusMessage]:
    got: list[BusMessage] = []
    app.bus.subscribe(USER_PROVISIONING, got.append)
    return got


@pytest.fixture
def client(app: App) -> FlaskClient:
    test_client = functions_framework.create_app(target="admin_api", source=main_source()).test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {app.settings.admin_token}"
    return test_client


def _org(client: FlaskClient, **extra: Any) -> dict[str, Any]:
    response = client.post("/admin/v1/orgs", json={"domain": "example.com", "service_account_key": KEY, **extra})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_create_read_patch_org_without_leaking_the_key(client: FlaskClient, app: App) -> None:
    """An org is created with defaults, read back, patched; the key is stored sealed and never returned."""
    org = _org(client)
    assert org["id"] == "example-com" and org["keywords"]["@webex"] == "personal_room"
    assert org["delegation"]["client_id"] == "1234567890"
    assert "calendar" in org["delegation"]["scopes"] and "gmail.settings.basic" in org["delegation"]["scopes"]
    assert client.get("/admin/v1/orgs/example-com").get_json() == org
    patched = client.patch("/admin/v1/orgs/example-com", json={"join_lead_minutes": 2, "keywords": {"@Zoom": "space"}})
    assert patched.status_code == 200
    assert patched.get_json()["join_lead_minutes"] == 2 and patched.get_json()["keywords"] == {"@zoom": "space"}
    assert [o["id"] for o in client.get("/admin/v1/orgs").get_json()["orgs"]] == ["example-com"]
    assert "SECRET-KEY-MATERIAL" not in json.dumps(client.get("/admin/v1/orgs").get_json())
    raw = repr([d.data for d in app.documents.query(Query("orgs"))])
    assert "SECRET-KEY-MATERIAL" not in raw
    assert json.loads(app.stores.orgs.service_account_key("example-com") or "{}") == KEY


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"domain": "example.com"}, "exactly one of"),
        (
            {
                "domain": "example.com",
                "service_account_key": KEY,
                "credential": {"kind": "secret", "reference": "projects/p/secrets/key/versions/latest"},
            },
            "exactly one of",
        ),
        (
            {"domain": "example.com", "credential": {"kind": "secret", "reference": "x/y", "client_id": "1"}},
            "projects/P/secrets/S/versions/V",
        ),
        ({"domain": "example.com", "service_account_key": {"type": "user"}}, "not a service-account key"),
        ({"domain": "example.com", "service_account_key": "not json"}, "key file's JSON"),
        ({"domain": "example.com", "service_account_key": KEY, "surprise": 1}, "surprise"),
        ({"domain": "example.com", "service_account_key": KEY, "join_lead_minutes": 999}, "join_lead_minutes"),
        ({"domain": "example.com", "service_account_key": KEY, "keywords": {"webex": "space"}}, "start with @"),
        ({"domain": "not a domain", "service_account_key": KEY}, "domain"),
    ],
)
def test_bad_org_bodies_are_400_with_json(client: FlaskClient, body: dict[str, Any], fragment: str) -> None:
    """Each malformed org body is a 400 whose JSON message names the problem."""
    response = client.post("/admin/v1/orgs", json=body)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]["message"]


def test_malformed_and_oversized_json(client: FlaskClient) -> None:
    """Broken JSON and bodies over the limit are 400s, never 500s."""
    assert client.post("/admin/v1/orgs", data=b"{nope", content_type="application/json").status_code == 400
    big = json.dumps({"domain": "example.com", "service_account_key": KEY, "x": "y" * 300_000})
    assert client.post("/admin/v1/orgs", data=big, content_type="application/json").status_code == 400


def test_duplicate_org_is_409_and_unknown_org_is_404(client: FlaskClient) -> None:
    """A second org with the same id conflicts; an unknown org is not found."""
    _org(client)
    again = client.post("/admin/v1/orgs", json={"domain": "example.com", "service_account_key": KEY})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    for path in ("/admin/v1/orgs/nope", "/admin/v1/orgs/nope/principals", "/admin/v1/orgs/nope/principals/a@b.com"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json


def test_activation_queues_validation_and_refuses_duplicates(
    client: FlaskClient, app: App, queued: list[BusMessage]
) -> None:
    """Activating a person answers 202 pending and queues one provisioning message; again is 409."""
    _org(client)
    response = client.post("/admin/v1/orgs/example-com/principals", json={"email": "Alice@Example.com"})
    assert response.status_code == 202
    assert response.get_json()["state"] == "pending" and response.get_json()["email"] == "alice@example.com"
    assert client.post("/admin/v1/orgs/example-com/principals", json={"email": "alice@example.com"}).status_code == 409
    assert app.bus.wait_idle(5)  # type: ignore[attr-defined]
    assert [ProvisionUser.decode(m.data).action for m in queued] == ["activate"]
    listed = client.get("/admin/v1/orgs/example-com/principals?kind=person").get_json()["principals"]
    assert [p["email"] for p in listed] == ["alice@example.com"]
    assert client.get("/admin/v1/orgs/example-com/principals?kind=robot").status_code == 400
    one = client.get("/admin/v1/orgs/example-com/principals/alice@example.com").get_json()
    assert one["meeting_count"] == 0 and one["state"] == "pending"


def test_rooms_get_device_tokens_once(client: FlaskClient, app: App) -> None:
    """A room with devices gets one token per device in the answer; only hashes are stored."""
    _org(client)
    response = client.post(
        "/admin/v1/orgs/example-com/principals",
        json={"email": "room-1@example.com", "kind": "room", "devices": ["Board", "Display"]},
    )
    devices = response.get_json()["devices"]
    assert len(devices) == 2 and all(len(d["token"]) > 30 for d in devices)
    stored = app.stores.devices.get_device(devices[0]["id"])
    assert stored is not None and stored.name == "Board" and devices[0]["token"] not in stored.token_hash
    person_devices = client.post(
        "/admin/v1/orgs/example-com/principals", json={"email": "bob@example.com", "devices": ["x"]}
    )
    assert person_devices.status_code == 400


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "", "x" * 300 + "@example.com"])
def test_malformed_emails_are_400(client: FlaskClient, email: str) -> None:
    """A malformed email never creates a principal."""
    _org(client)
    response = client.post("/admin/v1/orgs/example-com/principals", json={"email": email})
    assert response.status_code == 400 and response.is_json


def test_wrong_domain_ends_in_email_mismatch(client: FlaskClient, app: App) -> None:
    """Through the runtime's bus and provision_user, an address outside the domain ends in error(email_mismatch)."""
    LocalRuntime(app, scheduler=False)
    _org(client)
    client.post("/admin/v1/orgs/example-com/principals", json={"email": "eve@other.org"})
    assert app.bus.wait_idle(10)  # type: ignore[attr-defined]
    view = client.get("/admin/v1/orgs/example-com/principals/eve@other.org").get_json()
    assert view["state"] == "error" and view["reason"] == "email_mismatch" and view["hint"]


def test_routes_and_methods(client: FlaskClient) -> None:
    """Unknown routes are 404 and wrong methods 405, both JSON."""
    assert client.get("/admin/v1/nothing").status_code == 404
    assert client.put("/admin/v1/orgs").status_code == 405
    _org(client)
    client.post("/admin/v1/orgs/example-com/principals", json={"email": "alice@example.com"})
    assert client.post("/admin/v1/orgs/example-com/principals/alice@example.com:explode").status_code == 404
