"""Cross-org isolation through the admin API: one org's principals are invisible and untouchable from another."""

from __future__ import annotations

from typing import Any

from shared.domain.principals import PrincipalKind, PrincipalState
from shared.domain.retention import RetentionWindow
from tests.e2e.test_sync_pipeline import ALICE, _create, _event
from tests.provisioning.conftest import ZED, add_other_org, admin, principal
from tests.support.world import World


def _body(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert isinstance(body, dict)
    return body


def test_a_principal_of_one_org_is_not_reachable_through_another(world: World) -> None:
    """GET, DELETE and revalidate of org A's principal through org B's routes are 404 and change nothing."""
    other = add_other_org(world)
    world.activate(ALICE)
    world.app.provisioning.activate(other.id, ZED, PrincipalKind.PERSON, [])
    world.settle()
    call = admin(world)
    for method, suffix in (("GET", ""), ("POST", ":revalidate"), ("DELETE", "")):
        response = call(method, f"/orgs/{other.id}/principals/{ALICE}{suffix}")
        assert response.status_code == 404 and _body(response)["error"]["code"] == "not_found", (method, suffix)
        response = call(method, f"/orgs/{world.org.id}/principals/{ZED}{suffix}")
        assert response.status_code == 404, (method, suffix)
    world.settle()
    assert principal(world, ALICE).state is PrincipalState.ACTIVE and len(world.control.channels()) == 2
    assert principal(world, ZED, other.id).state is PrincipalState.ACTIVE


def test_listings_and_stored_data_stay_in_their_org(world: World) -> None:
    """Each org's listing holds only its own principals, and A's meetings are not readable under B's id."""
    other = add_other_org(world)
    world.activate(ALICE)
    _create(world, ALICE, _event("Secret plans", 2))
    world.app.provisioning.activate(other.id, ZED, PrincipalKind.PERSON, [])
    world.settle()
    call = admin(world)
    assert [p["email"] for p in _body(call("GET", f"/orgs/{other.id}/principals"))["principals"]] == [ZED]
    assert [p["email"] for p in _body(call("GET", f"/orgs/{world.org.id}/principals"))["principals"]] == [ALICE]
    detail = _body(call("GET", f"/orgs/{other.id}/principals/{ZED}"))
    assert detail["meeting_count"] == 0 and "Secret plans" not in str(detail)
    stores, now = world.app.stores, world.clock.now()
    window = RetentionWindow.at(now)
    alice_id = principal(world, ALICE).id
    assert stores.meetings.count_meetings(world.org.id, alice_id) == 1
    assert stores.meetings.list_meetings(other.id, alice_id, window.start, window.end, now) == []
    assert stores.principals.principal_id(other.id, ALICE) != alice_id  # blind indexes are keyed per org


def test_the_same_address_under_another_org_is_a_separate_principal(world: World) -> None:
    """Activating A's user under org B is B's own record (email_mismatch there) and leaves A's user untouched."""
    other = add_other_org(world)
    world.activate(ALICE)
    response = admin(world)("POST", f"/orgs/{other.id}/principals", {"email": ALICE})
    assert response.status_code == 202
    world.settle()
    assert principal(world, ALICE, other.id).state is PrincipalState.ERROR
    assert principal(world, ALICE).state is PrincipalState.ACTIVE
    assert world.control.requests(subject=ALICE)["countsByOperation"].get("calendar.events.watch") == 1
