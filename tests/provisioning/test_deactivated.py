"""Deactivated principals through the admin API: visible with state, when and by whom, data gone, until purged."""

from __future__ import annotations

import base64
import json
from typing import Any

from werkzeug.test import Client

from shared.domain.principals import PrincipalKind
from tests.e2e.test_sync_pipeline import ALICE, _create, _event
from tests.provisioning.conftest import admin
from tests.support.instant import T0
from tests.support.world import World

PATH = f"/orgs/example-com/principals/{ALICE}"


def _json(response: Any) -> Any:
    return json.loads(response.get_data(as_text=True))


def _id_token(email: str) -> str:
    """The shape of an ID token Cloud Run IAM has checked before the request arrives (its claims are read)."""

    def part(value: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'email': email, 'aud': 'admin'})}.c2lnbmF0dXJl"


def test_a_deactivated_principal_reads_the_same_everywhere(world: World) -> None:
    """`GET` and the listing agree: deactivated, when, by the IAM caller; meetings, decisions and sync data are gone."""
    world.activate(ALICE)
    _create(world, ALICE, _event("Planning", 3, location="@webex"))
    world.settle()
    assert _json(admin(world)("GET", PATH))["decisions"]
    headers = {"Authorization": "Bearer admin", "X-Serverless-Authorization": f"Bearer {_id_token('Ops@Example.com')}"}
    answer = Client(world.runtime).delete(f"/admin/v1{PATH}", headers=headers)
    assert answer.status_code == 202 and _json(answer)["deactivated_by"] == "ops@example.com"
    world.settle()
    shown = _json(admin(world)("GET", PATH))
    assert (shown["state"], shown["deactivated_by"]) == ("deactivated", "ops@example.com")
    assert shown["deactivated_at"] == str(T0)
    assert (shown["meeting_count"], shown["decisions"], shown["last_sync"], shown["channel_expiry"]) == (
        0,
        [],
        None,
        None,
    )
    assert shown["locale"] is None and shown["time_zone"] is None and shown["detail"] is None
    listed = _json(admin(world)("GET", "/orgs/example-com/principals?state=deactivated"))["principals"]
    assert [(p["email"], p["deactivated_by"]) for p in listed] == [(ALICE, "ops@example.com")]


def test_purge_needs_deactivation_and_then_forgets_the_principal(world: World) -> None:
    """Purge is 409 while active; after deactivation it deletes the record (then 404) and activation starts afresh."""
    call = admin(world)
    world.activate(ALICE)
    refused = call("POST", f"{PATH}:purge")
    assert refused.status_code == 409 and "deactivate it first" in _json(refused)["error"]["message"]
    assert _json(call("GET", PATH))["state"] == "active"
    assert call("DELETE", PATH).status_code == 202
    world.settle()
    assert _json(call("DELETE", PATH))["error"]["code"] == "conflict"
    assert call("POST", f"{PATH}:revalidate").status_code == 409
    purged = call("POST", f"{PATH}:purge")
    assert purged.status_code == 200 and _json(purged)["state"] == "deactivated"
    assert call("GET", PATH).status_code == 404 and call("POST", f"{PATH}:purge").status_code == 404
    assert _json(call("GET", "/orgs/example-com/principals"))["principals"] == []
    world.app.provisioning.activate(world.org.id, ALICE, PrincipalKind.PERSON, [])
    world.settle()
    again = _json(call("GET", PATH))
    assert again["state"] == "active" and again["deactivated_at"] is None and again["deactivated_by"] is None


def test_a_request_during_validation_keeps_who_asked(world: World) -> None:
    """Deactivating a principal still pending validation records the caller, and the result says so."""
    call = admin(world)
    assert call("POST", "/orgs/example-com/principals", {"email": ALICE}).status_code == 202
    headers = {"Authorization": "Bearer admin", "X-Serverless-Authorization": f"Bearer {_id_token('ops@example.com')}"}
    answer = Client(world.runtime).delete(f"/admin/v1{PATH}", headers=headers)
    assert answer.status_code == 202  # queued behind the validation (same ordering key)
    world.settle()
    shown = _json(call("GET", PATH))
    assert (shown["state"], shown["deactivated_by"]) == ("deactivated", "ops@example.com")
    assert world.control.channels() == []
