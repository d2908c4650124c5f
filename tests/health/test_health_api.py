"""The org health report and the alert-hook routes: what they show, and 4xx JSON for bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.health.conftest import ALICE, ORG, Receiver, admin, run
from tests.support.pump import PumpWorld


def test_the_health_report_shows_states_sync_age_channels_reconcile_quota_and_poll_lag(world: PumpWorld) -> None:
    """Right after activation: one active principal synced now with a channel; the poll lag appears once it ran."""
    status, health = admin(world, "GET", "/health")
    assert status == 200 and health["org"] == ORG
    assert health["principals"]["by_state"] == {
        "pending": 0,
        "validating": 0,
        "active": 1,
        "error": 0,
        "deactivated": 0,
    }
    assert health["channels"]["expiring"] == [] and health["channels"]["without_channel"] == []
    (sync,) = health["sync"]["principals"]
    assert sync["email"] == ALICE and sync["age_seconds"] == 0 and sync["stalled"] is False
    assert health["sync"]["stalled_after_hours"] == 26
    assert health["presence_poll"]["last_poll_at"] is None and health["presence_poll"]["late"] is True
    assert health["quota"]["rate_limited"] == {"429": 0, "403": 0}
    assert health["dead_letters"] == {"total": 0, "topics": {}}
    run(world, "poll_vacations")
    run(world, "maintain_channels")
    _, health = admin(world, "GET", "/health")
    assert health["presence_poll"]["lag_seconds"] == 0 and health["presence_poll"]["late"] is False
    assert health["reconcile"]["last_run_at"] == world.clock.now().isoformat()
    assert health["reconcile"]["repaired"] == 0


def test_rate_limit_answers_of_google_are_counted_per_org(world: PumpWorld) -> None:
    """One 429 and one 403 rateLimitExceeded on the vacation read: the report counts exactly one of each."""
    world.control.set_faults("gmail.users.settings.getVacation", failNext=[429, "403-rateLimitExceeded"], retryAfter=0)
    run(world, "poll_vacations")
    world.deliver("check_vacation")
    _, health = admin(world, "GET", "/health")
    assert health["quota"]["rate_limited"] == {"429": 1, "403": 1}
    assert health["principals"]["by_state"]["active"] == 1  # rate limits are not a refusal


def test_a_channel_close_to_expiry_after_maintenance_is_reported_and_alerted_once(
    world: PumpWorld, receiver: Receiver
) -> None:
    """Renewal failing (every watch unavailable): the channel shows as failing renewal; one alert is sent."""
    admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    world.control.set_faults("calendar.events.watch", failNext=[503] * 10, retryAfter=0)
    (channel,) = world.app.stores.channels.channels_of(ORG, world.app.stores.principals.principal_id(ORG, ALICE))
    world.clock.set(channel.expiration - timedelta(hours=2))
    world.control.set_clock(time=world.clock.now().isoformat().replace("+00:00", "Z"), frozen=True)
    _, before = admin(world, "GET", "/health")  # in the window, but no maintenance has tried to renew it yet
    assert [(c["channel_id"], c["failing_renewal"]) for c in before["channels"]["expiring"]] == [(channel.id, False)]
    run(world, "maintain_channels")
    run(world, "maintain_channels")
    _, health = admin(world, "GET", "/health")
    assert [(c["channel_id"], c["failing_renewal"]) for c in health["channels"]["expiring"]] == [(channel.id, True)]
    kinds = [json.loads(r.body)["type"] for r in receiver.received]
    assert kinds.count("channel.renewal_failed") == 1


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"url": "http://alerts.example.net/hook"}, 400, "https"),
        ({"url": "ftp://alerts.example.net/hook"}, 400, "https"),
        ({"url": "https://user:pw@alerts.example.net/hook"}, 400, "credentials"),
        ({"url": "https://alerts.example.net/" + "x" * 3000}, 400, "url"),
        ({"url": "https://alerts.example.net/hook", "extra": 1}, 400, "extra"),
        ({}, 400, "url"),
    ],
)
def test_bad_alert_hook_registrations_are_4xx_json(
    world: PumpWorld, body: dict[str, object], status: int, says: str
) -> None:
    """A plain-http non-loopback URL, another scheme, credentials, an oversized URL or body: 400 with a JSON error."""
    got, answer = admin(world, "POST", "/alert-hooks", json=body)
    assert got == status and says in answer["error"]["message"].lower()
    assert admin(world, "GET", "/alert-hooks")[1] == {"hooks": []}


def test_hooks_are_listed_without_secrets_deduplicated_removed_and_tested(world: PumpWorld, receiver: Receiver) -> None:
    """A duplicate URL is 409; the list never shows the secret; test sends one signed event; remove makes it 404."""
    status, hook = admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    assert status == 201
    assert admin(world, "POST", "/alert-hooks", json={"url": receiver.url})[0] == 409
    _, listed = admin(world, "GET", "/alert-hooks")
    assert listed == {"hooks": [{"id": hook["id"], "url": receiver.url, "created_at": hook["created_at"]}]}
    status, sent = admin(world, "POST", f"/alert-hooks/{hook['id']}:test")
    assert status == 200 and sent["type"] == "test" and sent["deliveries"][0]["state"] == "delivered"
    assert len(receiver.received) == 1 and receiver.received[0].headers["webhook-signature"].startswith("v1,")
    assert admin(world, "DELETE", f"/alert-hooks/{hook['id']}")[0] == 200
    assert admin(world, "DELETE", f"/alert-hooks/{hook['id']}")[0] == 404
    assert admin(world, "POST", f"/alert-hooks/{hook['id']}:test")[0] == 404
    unknown = world.functions.call("admin_api", "GET", "/admin/v1/orgs/no-such-org/health")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"


def test_secrets_and_urls_of_hooks_are_sealed_at_rest(world: PumpWorld, receiver: Receiver) -> None:
    """Neither the hook's URL nor its secret is in the stored document in plaintext."""
    _, hook = admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    doc = world.app.documents.get(f"orgs/{ORG}/alertHooks/{hook['id']}")
    assert doc is not None
    text = repr(doc.data)
    assert str(hook["secret"]) not in text and receiver.url not in text and "127.0.0.1" not in text
