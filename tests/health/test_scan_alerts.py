"""The maintenance scan: one alert per change for dead letters appearing and for a stalled sync, none on repeats."""

from __future__ import annotations

import json
from datetime import timedelta

from shared.domain.health import STALL_AFTER
from shared.ports import BusMessage
from tests.health.conftest import ORG, Receiver, admin, run
from tests.support.pump import PumpWorld


def _types(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["type"] for r in receiver.received]


def _dead_letter(world: PumpWorld, message_id: str) -> None:
    data = json.dumps({"org_id": ORG, "event_id": "e1"}).encode()
    attributes = {"sourceTopic": "join-rewrite", "deadLetterReason": "boom"}
    world.app.dead_letters.record(BusMessage("join-rewrite-dead-letter", data, attributes, None, message_id))


def test_dead_letters_appearing_send_one_alert_per_new_arrival_on_a_topic(world: PumpWorld, receiver: Receiver) -> None:
    """Two dead letters before a scan: one alert; scanning again: none; a later one: one more, with the new count."""
    admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    _dead_letter(world, "m1")
    _dead_letter(world, "m2")
    run(world, "maintain_channels")
    run(world, "maintain_channels")
    assert _types(receiver) == ["dead_letters.appeared"]
    assert json.loads(receiver.received[0].body)["data"] == {
        "topic": "join-rewrite",
        "count": 2,
        "last_at": world.clock.now().isoformat(),
    }
    world.clock.set(world.clock.now() + timedelta(minutes=10))
    _dead_letter(world, "m3")
    run(world, "maintain_channels")
    assert _types(receiver) == ["dead_letters.appeared", "dead_letters.appeared"]
    assert json.loads(receiver.received[1].body)["data"]["count"] == 3
    _, health = admin(world, "GET", "/health")
    assert health["dead_letters"] == {"total": 3, "topics": {"join-rewrite": 3}}


def test_a_sync_stalled_beyond_the_threshold_sends_one_alert(world: PumpWorld, receiver: Receiver) -> None:
    """Google unavailable for every list past 26 h: the report flags the stall and one sync.stalled alert goes out."""
    admin(world, "POST", "/alert-hooks", json={"url": receiver.url})
    world.control.set_faults("calendar.events.list", failNext=[503] * 10, retryAfter=0)
    world.clock.set(world.clock.now() + STALL_AFTER + timedelta(hours=1))
    run(world, "maintain_channels")
    run(world, "maintain_channels")
    assert _types(receiver).count("sync.stalled") == 1
    _, health = admin(world, "GET", "/health")
    assert health["sync"]["stalled"] == 1 and health["sync"]["principals"][0]["stalled"] is True
    assert health["principals"]["by_state"]["active"] == 1  # Google unavailable is not a refusal
