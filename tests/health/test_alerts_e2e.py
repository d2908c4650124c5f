"""End to end on the emulator: a revoked delegation becomes an error and one signed alert; failing receivers retry."""

from __future__ import annotations

import json
from datetime import timedelta

from shared.domain.health import LIGHT_CHECK_AFTER, RETRY_DELAYS
from tests.health.conftest import ALICE, DOMAIN, Receiver, VerifierAt, admin, principal, run
from tests.support.pump import TOPIC_OF, PumpWorld


def _hook(world: PumpWorld, receiver: Receiver) -> dict[str, object]:
    status, hook = admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    assert status == 201 and str(hook["secret"]).startswith("whsec_")
    return dict(hook)


def test_revoked_delegation_turns_the_principal_to_error_within_one_poll_and_fires_one_verified_alert(
    world: PumpWorld, receiver: Receiver
) -> None:
    """Revoking the grant (issued tokens too): the next vacation poll moves Alice to error, one signed alert."""
    hook = _hook(world, receiver)
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [], revoke_tokens=True)
    assert run(world, "poll_vacations")["batches"] == 1
    world.deliver("check_vacation")
    alice = principal(world)
    assert alice["state"] == "error" and alice["reason"] == "delegation_not_authorized"
    assert "domain-wide delegation" in alice["hint"] and world.key["client_id"] in alice["detail"]
    assert len(receiver.received) == 1
    got = receiver.received[0]
    event = VerifierAt(str(hook["secret"]), world.clock).verify(got.body, got.headers)
    assert event["type"] == "principal.error" and event["org"] == "pump-example-com"
    assert event["data"]["email"] == ALICE and event["data"]["reason"] == "delegation_not_authorized"
    assert got.headers["webhook-id"] == event["id"]
    # Noticing the same error again (the maintenance scan, another poll) raises nothing new.
    run(world, "maintain_channels")
    world.deliver("check_vacation")
    run(world, "poll_vacations")
    assert len(receiver.received) == 1
    status, alerts = admin(world, "GET", "/alerts")
    assert status == 200 and [a["type"] for a in alerts["alerts"]] == ["principal.error"]
    assert alerts["alerts"][0]["deliveries"] == [
        {"hook": hook["id"], "state": "delivered", "attempts": 1, "next_at": None, "last_status": "204",
         "delivered_at": world.clock.now().isoformat()}
    ]  # fmt: skip
    _, health = admin(world, "GET", "/health")
    assert health["principals"]["by_state"]["error"] == 1 and health["principals"]["by_state"]["active"] == 0
    assert health["principals"]["attention"][0]["reason"] == "delegation_not_authorized"


def test_a_receiver_answering_500_gets_every_retry_then_the_alert_is_marked_failed(
    world: PumpWorld, receiver: Receiver
) -> None:
    """Five attempts on the recorded schedule, the same signed event each time, then failed; the alert is kept."""
    receiver.status = 500
    hook = _hook(world, receiver)
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [], revoke_tokens=True)
    run(world, "poll_vacations")
    world.deliver("check_vacation")
    assert len(receiver.received) == 1
    for delay in RETRY_DELAYS:
        run(world, "poll_vacations")  # not due yet: nothing sent
        assert len(receiver.received) == len(RETRY_DELAYS[: RETRY_DELAYS.index(delay)]) + 1
        world.clock.set(world.clock.now() + delay)
        run(world, "poll_vacations")
    assert len(receiver.received) == len(RETRY_DELAYS) + 1 == 5
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    world.clock.set(world.clock.now() + timedelta(days=1))
    run(world, "poll_vacations")
    run(world, "maintain_channels")
    assert len(receiver.received) == 5
    _, alerts = admin(world, "GET", "/alerts")
    (alert,) = [a for a in alerts["alerts"] if a["type"] == "principal.error"]
    assert alert["deliveries"][0]["state"] == "failed" and alert["deliveries"][0]["attempts"] == 5
    assert alert["deliveries"][0]["last_status"] == "500" and alert["deliveries"][0]["hook"] == hook["id"]
    assert alert["data"]["email"] == ALICE and json.loads(receiver.received[0].body)["data"] == alert["data"]


def test_a_quiet_principal_whose_delegation_was_revoked_is_found_by_the_light_check(
    world: PumpWorld, receiver: Receiver
) -> None:
    """Tokens still valid, no call failing: maintenance re-validates a principal quiet for a while."""
    _hook(world, receiver)
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [])  # issued tokens keep working
    run(world, "maintain_channels")
    assert principal(world)["state"] == "active"  # synced a moment ago: not checked yet
    world.clock.set(world.clock.now() + LIGHT_CHECK_AFTER + timedelta(minutes=1))
    run(world, "maintain_channels")
    alice = principal(world)
    assert alice["state"] == "error" and alice["reason"] == "delegation_not_authorized"
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["principal.error"]


def test_revalidate_asks_google_for_fresh_tokens(world: PumpWorld) -> None:
    """After a revoked grant whose tokens still work, revalidate finds the revocation (tokens dropped)."""
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [])
    status, _ = admin(world, "POST", f"/principals/{ALICE}:revalidate")
    assert status == 202
    world.settle()
    alice = principal(world)
    assert alice["state"] == "error" and alice["reason"] == "delegation_not_authorized"


def test_a_sync_refused_by_google_turns_the_principal_to_error_at_once(world: PumpWorld, receiver: Receiver) -> None:
    """A push arrives after the grant and its tokens were revoked: the refused sync moves Alice to error; one alert."""
    _hook(world, receiver)
    world.create_event(ALICE, "Planning", 60)
    assert world.state.wait_for_push_idle(30)
    assert world.bus.queued(str(TOPIC_OF["sync_calendar"])) == 1
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [], revoke_tokens=True)
    world.deliver("sync_calendar")
    alice = principal(world)
    assert alice["state"] == "error" and alice["reason"] == "delegation_not_authorized"
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["principal.error"]


def test_a_join_detail_rewrite_refused_by_google_turns_the_principal_to_error_at_once(
    world: PumpWorld, receiver: Receiver
) -> None:
    """A keyword's rewrite runs after the grant and its tokens were revoked: Alice moves to error; one alert."""
    _hook(world, receiver)
    world.create_event(ALICE, "Standup", 60, location="@webex")
    assert world.state.wait_for_push_idle(30)
    world.deliver("sync_calendar")
    assert world.bus.queued(str(TOPIC_OF["rewrite_join_details"])) == 1
    world.control.set_service_account_scopes(DOMAIN, str(world.key["client_id"]), [], revoke_tokens=True)
    world.deliver("rewrite_join_details")
    alice = principal(world)
    assert alice["state"] == "error" and alice["reason"] == "delegation_not_authorized"
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["principal.error"]


def test_the_light_check_validates_a_quiet_principal_once_per_period(world: PumpWorld) -> None:
    """Hourly maintenance of a quiet calendar: one light validation (fresh tokens) per 6 h, not one per run."""
    counter = world.app.google.counter
    world.clock.set(world.clock.now() + LIGHT_CHECK_AFTER + timedelta(minutes=1))
    before = counter.count("oauth2.token")
    run(world, "maintain_channels")
    first = counter.count("oauth2.token") - before
    assert first == 2  # the calendar and the Gmail scope, asked afresh
    for _ in range(5):
        world.clock.set(world.clock.now() + timedelta(hours=1))
        before = counter.count("oauth2.token")
        run(world, "maintain_channels")
        assert counter.count("oauth2.token") - before == 0
    world.clock.set(world.clock.now() + timedelta(hours=1))
    before = counter.count("oauth2.token")
    run(world, "maintain_channels")
    assert counter.count("oauth2.token") - before == 2
    assert principal(world)["state"] == "active"
