"""Faults in the production topology: Google down, a function process killed, a poison message.

The harness's push retries with infra's backoff (scaled down) and counts the real delivery
attempts; ``Pusher.holding`` stops a consumer's next attempts at a chosen point, so each scenario
is decided by conditions, never by timing.
"""

from __future__ import annotations

import json
from datetime import timedelta

from shared.domain.joinblock import BLOCK_BEGIN
from tests.cloud.support import Cloud

OUTAGE = {"rate503": 1.0, "retryAfter": 0}


def _outage(cloud: Cloud) -> None:
    cloud.topology.control.set_faults("*", **OUTAGE)
    cloud.topology.control.set_faults("oauth2.token", **OUTAGE)


def test_activation_with_google_down_ends_in_error_unavailable(cloud: Cloud) -> None:
    """Google answers 503 to everything: after the last delivery attempt the user is error/unavailable with a hint."""
    cloud.create_org()
    _outage(cloud)
    cloud.activate(cloud.alice)
    principal = cloud.wait_state(cloud.alice, "error", "active")
    assert (principal["state"], principal["reason"]) == ("error", "unavailable")
    assert principal["hint"] and "5 attempts" in principal["detail"]
    cloud.wait(lambda: len(cloud.topology.pusher.attempts("provision_user")) == 5, "the fifth attempt's answer")
    attempts = [(d.attempt, d.status) for d in cloud.topology.pusher.attempts("provision_user")]
    assert attempts == [(1, 503), (2, 503), (3, 503), (4, 503), (5, 200)]
    assert cloud.topology.pusher.dead_lettered == []


def test_deactivation_during_an_outage_completes_once_google_is_back(cloud: Cloud) -> None:
    """Deactivating while Google is down is retried; when Google is back the channel stops and the data goes."""
    cloud.create_org()
    cloud.active(cloud.alice)
    pusher = cloud.topology.pusher
    with pusher.holding("provision_user", after_attempt=3):
        _outage(cloud)
        assert cloud.admin("DELETE", f"/admin/v1/orgs/{cloud.org_id}/principals/{cloud.alice}").status_code == 202
        cloud.wait(lambda: pusher.waiting("provision_user") == 1, "the deactivation's fourth attempt held")
        assert [(d.attempt, d.status) for d in pusher.attempts("provision_user")][1:] == [(1, 503), (2, 503), (3, 503)]
        assert (cloud.principal(cloud.alice) or {}).get("state") == "active" and cloud.channels(cloud.alice)
        cloud.topology.control.clear_faults()
    cloud.wait_state(cloud.alice, "deactivated")
    assert [(d.attempt, d.status) for d in pusher.attempts("provision_user")][-1] == (4, 200)
    assert cloud.channels(cloud.alice) == []
    assert cloud.topology.documents(f"orgs/{cloud.org_id}/principalKeys") == []
    assert cloud.topology.documents(f"orgs/{cloud.org_id}/meetings") == []


def test_a_sync_killed_mid_way_converges_with_one_block_per_keyword(cloud: Cloud) -> None:
    """SIGKILL sync_calendar while its sync holds the lease, restart it: the store matches Google, one block each."""
    cloud.create_org()
    cloud.active(cloud.alice)
    control, pusher = cloud.topology.control, cloud.topology.pusher
    control.set_faults("calendar.events.watch", pushDropRate=1.0)
    keyworded = {
        cloud.create_event(cloud.alice, f"Keyword {i}", 60 + i * 45, location="@webex")["id"] for i in range(4)
    }
    with cloud.google(cloud.alice) as http:
        for i in range(256):
            body = cloud.event_body(f"Plain {i}", 30 + i * 37)
            assert http.post(f"/calendar/v3/calendars/{cloud.alice}/events", json=body).status_code == 200
    control.clear_faults()
    control.set_faults("calendar.events.list", latencyMs=2500)
    control.clear_requests()
    cloud.create_event(cloud.alice, "The push", 20)  # its notification starts an incremental sync of 261 changes
    cloud.wait(lambda: pusher.pushing("sync_calendar") == 1 and _leased(cloud), "the sync under way, lease taken")
    # Rewrites wait until the resync is done: the emulator's paging of a sync-token listing skips an
    # event when another one changes between two pages (tests/cloud/README.md), which Google does not.
    with pusher.holding("rewrite_join_details"):
        with pusher.holding("sync_calendar", after_attempt=1):
            cloud.topology.kill("sync_calendar")
            cloud.wait(lambda: pusher.waiting("sync_calendar") >= 1, "the redelivery held")
            assert pusher.attempts("sync_calendar")[0].status == 0  # the connection broke: no answer
            control.clear_faults()
            cloud.topology.restart("sync_calendar")
            cloud.topology.clock.advance(timedelta(minutes=6))  # the dead process's sync lease runs out
            control.set_clock(advance_seconds=360)
        resynced = lambda: any(d.attempt == 2 and d.status == 200 for d in pusher.attempts("sync_calendar"))  # noqa: E731
        cloud.wait(resynced, "the redelivered sync done")
    at_google = {e["id"] for e in control.events(cloud.alice, show_deleted=False)}

    def converged() -> bool:
        principal = cloud.principal(cloud.alice) or {}
        return principal.get("meeting_count") == len(at_google)

    try:
        cloud.wait(converged, "the store matching Google")
    except AssertionError:
        listed = {m["id"] for m in cloud.meetings(cloud.alice)}
        missing = [
            (e["id"], e["summary"], e["updated"]) for e in control.events(cloud.alice, False) if e["id"] not in listed
        ]
        synced = [line for line in cloud.logs("sync_calendar") if line["message"] == "calendar synced"]
        webhook = cloud.logs("calendar_webhook")[-30:]
        deliveries = [(d.consumer, d.message_id, d.attempt, d.status, d.data) for d in pusher.deliveries]
        raise AssertionError(f"missing {missing}\nsyncs {synced}\nwebhook {webhook}\ndeliveries {deliveries}") from None
    for event_id in keyworded:
        has_block = lambda e=event_id: BLOCK_BEGIN in (cloud.event(cloud.alice, e).get("description") or "")  # noqa: E731
        cloud.wait(has_block, f"the join block on {event_id}")
    cloud.topology.pusher.wait_idle()
    first = pusher.attempts("rewrite_join_details")[0]
    cloud.topology.barrier("join-rewrite", "rewrite_join_details", _marker(first.data), first.ordering_key)
    for event_id in keyworded:
        assert cloud.event(cloud.alice, event_id)["description"].count(BLOCK_BEGIN) == 1
    assert cloud.count("calendar.events.patch", cloud.alice) == len(keyworded)
    assert len(at_google) == 261


def _leased(cloud: Cloud) -> bool:
    """Whether a sync holds the lease on a calendar of the org (the stored sync state says so)."""
    states = cloud.topology.documents(f"orgs/{cloud.org_id}/syncStates")
    return any("stringValue" in (doc["fields"].get("leaseOwner") or {}) for doc in states)


def _marker(data: bytes) -> bytes:
    request = json.loads(data)
    return json.dumps({**request, "event_id": "barrier"}, sort_keys=True, separators=(",", ":")).encode()


def test_a_poison_message_is_dead_lettered_where_an_admin_sees_it(cloud: Cloud) -> None:
    """A message sync_calendar cannot decode is refused five times, lands in calendar-sync-dead-letter, is counted."""
    topology = cloud.topology
    message_id = topology.publish("calendar-sync", b'{"kind": "not-a-sync"}', ordering_key="poison/1", note="x")
    cloud.wait(lambda: any(d.message_id == message_id for d in topology.pusher.dead_lettered), "the dead letter")
    statuses = [(d.attempt, d.status) for d in topology.pusher.attempts("sync_calendar") if d.message_id == message_id]
    assert statuses == [(1, 400), (2, 400), (3, 400), (4, 400), (5, 400)]
    [dead] = topology.dead_letters("calendar-sync")
    assert dead.data == b'{"kind": "not-a-sync"}'
    assert dead.attributes["note"] == "x"
    assert dead.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert dead.attributes["CloudPubSubDeadLetterSourceSubscription"] == "calendar-sync-sync-calendar"
    refused = [line for line in cloud.logs("sync_calendar") if line["message"].startswith("push refused")]
    assert [line["severity"] for line in refused[-5:]] == ["WARNING"] * 4 + ["ERROR"]

    def counted() -> bool:
        return bool(cloud.admin("GET", "/admin/v1/dead-letters").json()["total"] == 1)

    cloud.wait(counted, "the dead letter counted in the admin API")
    summary = cloud.admin("GET", "/admin/v1/dead-letters").json()
    assert summary["topics"]["calendar-sync"]["count"] == 1
    assert "after 5 deliveries" in summary["topics"]["calendar-sync"]["last_error"]
