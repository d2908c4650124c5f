"""Each function's Pub/Sub publish grants in infra match what it actually publishes, flow by flow.

Every entry point runs through its flows in one process (tests/support/pump.py) on a bus that
records the function running at each publish; the publishes are then compared with the
``roles/pubsub.publisher`` grants infra/ derives from ``catalog.tf``. A publish without a grant is
what real Pub/Sub answers with PermissionDenied; a grant no flow uses is more access than needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from functions.registry import ENTRY_POINTS
from tests.cloud.harness.infra import InfraView
from tests.support.instant import T0, z
from tests.support.pump import DOMAIN, USERS, PumpWorld, make_pump_world

ALICE, BOB = USERS[0]["email"], USERS[1]["email"]


def grant_problems(published: dict[str, set[str]], grants: dict[str, set[str]]) -> list[str]:
    """Publishes without a grant and grants never used, one line each."""
    problems = []
    for function in sorted(set(published) | set(grants)):
        made, granted = published.get(function, set()), grants.get(function, set())
        problems += [f"{function} publishes to {t} without a publisher grant" for t in sorted(made - granted)]
        problems += [
            f"{function} is granted publish on {t} but no flow publishes there" for t in sorted(granted - made)
        ]
    return problems


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PumpWorld]:
    w = make_pump_world(tmp_path)
    yield w
    w.close()


def _run_every_flow(world: PumpWorld) -> None:
    """Activation, keyword rewrite and its echo, a later keyword, maintenance, vacation, join buttons, the app."""
    call = world.functions.call
    world.create_event(ALICE, "Kick-off", 3, location="Room 1 @webex", attendees=[{"email": ALICE}, {"email": BOB}])
    org = call("admin_api", "POST", "/admin/v1/orgs", json={"domain": DOMAIN, "service_account_key": world.key})
    assert org.status_code == 201, org.get_json()
    org_id = org.get_json()["id"]
    person = {"email": ALICE, "kind": "person"}
    assert call("admin_api", "POST", f"/admin/v1/orgs/{org_id}/principals", json=person).status_code == 202
    world.settle()  # provision_user: validate, full sync (keyword → rewrite), watch; rewrite; echo push; sync

    world.create_event(ALICE, "Review", 120, location="@webex")
    world.settle()  # push → webhook → sync → rewrite

    world.control.set_faults("calendar.events.watch", pushDropRate=1.0)
    world.create_event(ALICE, "Missed by push", 240, location="@webex")
    world.control.clear_faults()
    world.clock.advance(timedelta(hours=25))  # due for the daily reconcile, which finds the missed keyword
    world.control.set_clock(time=z(world.clock.now()), frozen=True)
    assert call("maintain_channels", "POST", "/", data=b"{}").status_code == 200
    world.settle()

    vacation = {
        "enableAutoReply": True,
        "responseSubject": "Away",
        "startTime": str(int((world.clock.now() - timedelta(hours=1)).timestamp() * 1000)),
        "endTime": str(int((world.clock.now() + timedelta(days=2)).timestamp() * 1000)),
    }
    world.control.set_vacation(ALICE, vacation)
    assert call("poll_vacations", "POST", "/", data=b"{}").status_code == 200
    world.settle()  # check_vacation → presence changed

    world.create_event(ALICE, "Stand-up", 3, location="https://meet.google.com/abc-defg-hij")
    world.settle()
    assert call("dispatch_join_buttons", "POST", "/", data=b"{}").get_json()["sent"] >= 1
    assert call("release_rooms", "POST", "/", data=b"{}").status_code == 200

    token = world.id_token(world.app.settings.oidc_client_id, user=ALICE)
    listed = call("meetings_api", "GET", "/v1/me/meetings", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.get_json()


def test_every_publish_has_a_grant_and_every_grant_is_used(world: PumpWorld) -> None:
    """Driving each entry point through its flows publishes exactly on the topics infra lets it publish to."""
    _run_every_flow(world)
    assert all(status < 300 for _, status in world.statuses), world.statuses
    published: dict[str, set[str]] = {ep.name: set() for ep in ENTRY_POINTS}
    for publish in world.bus.published:
        published.setdefault(str(publish.function), set()).add(publish.topic)  # "None": outside every function
    infra = InfraView("grants-check", {ep.name: f"https://{ep.name}.test" for ep in ENTRY_POINTS}, "https://x.test")
    assert grant_problems(published, infra.publish_grants()) == []
    assert T0 < world.clock.now()


def test_a_missing_or_unused_grant_is_reported() -> None:
    """The comparison names a publish without a grant and a grant nobody uses."""
    published = {"provision_user": {"join-rewrite"}, "calendar_webhook": {"calendar-sync"}}
    grants = {"provision_user": {"calendar-sync"}, "calendar_webhook": {"calendar-sync"}}
    assert grant_problems(published, grants) == [
        "provision_user publishes to join-rewrite without a publisher grant",
        "provision_user is granted publish on calendar-sync but no flow publishes there",
    ]
