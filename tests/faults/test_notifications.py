"""Notifications under faults: duplicated, reordered, replayed and forged pushes, and bus redelivery.

After quiescence the store equals the emulator's truth for the window, every time.
"""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.test import Client

from shared.adapters.bus.local import LocalBus
from shared.ports import BusMessage
from shared.ports.messages import SyncCalendar, calendar_key
from shared.runtime.server import pubsub_envelope
from shared.topics import CALENDAR_SYNC
from tests.faults.support import (
    ALICE,
    BOB,
    RecordingTransport,
    create,
    delete,
    event_body,
    pid,
    post_notification,
    rename,
    stored,
    truth,
)
from tests.support.world import World

LIST = "calendar.events.list"


def _churn(world: World, tag: str) -> None:
    """A burst of changes on Alice's calendar: creates, an invite from Bob, a rename and a delete."""
    first = create(world, ALICE, event_body(f"{tag} one", 2))
    create(world, ALICE, event_body(f"{tag} two", 26))
    create(world, BOB, event_body(f"{tag} from Bob", 50, attendees=(ALICE,)))
    gone = create(world, ALICE, event_body(f"{tag} doomed", 3))
    rename(world, ALICE, first["id"], f"{tag} one (renamed)")
    delete(world, ALICE, gone["id"])


def _syncs_published(world: World) -> int:
    bus = world.app.bus
    assert isinstance(bus, LocalBus)
    return bus.published.get(CALENDAR_SYNC, 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_duplicated_pushes_leave_the_store_equal_to_the_truth(world: World, seed: int) -> None:
    """With every exists message delivered twice, the store still equals the truth after quiescence."""
    world.activate(ALICE)
    world.control.set_faults("calendar.events.watch", pushDuplicateRate=1.0, seed=seed)
    _churn(world, f"dup{seed}")
    world.settle()
    pushes = world.control.pushes(wait_seconds=5)
    assert any(p["duplicate"] for p in pushes)
    assert stored(world, ALICE) == truth(world, ALICE)
    assert world.app.bus.dead_letters() == []  # type: ignore[attr-defined]


def test_half_the_pushes_dropped_and_the_rest_duplicated_still_converge(world: World) -> None:
    """Random drops and duplicates: as long as a later notification arrives, the store catches up to the truth."""
    world.activate(ALICE)
    world.control.set_faults("calendar.events.watch", pushDropRate=0.5, pushDuplicateRate=0.5, seed=7)
    _churn(world, "lossy")
    world.control.clear_faults()
    create(world, ALICE, event_body("last word", 5))  # one notification that surely arrives
    world.settle()
    assert stored(world, ALICE) == truth(world, ALICE)


def test_replayed_and_reordered_pushes_change_nothing(world: World, recorder: RecordingTransport) -> None:
    """Re-POSTing every captured push, newest first and three times over, leaves the store equal to the truth."""
    world.activate(ALICE)
    _churn(world, "replay")
    world.settle()
    captured = list(recorder.pushes)
    assert captured and all(p.status == 200 for p in captured)
    expected = truth(world, ALICE)
    assert stored(world, ALICE) == expected
    world.control.clear_requests()
    for _ in range(3):
        for push in reversed(captured):
            assert post_notification(world, push.headers).status_code == 200
    world.settle()
    assert stored(world, ALICE) == expected == truth(world, ALICE)
    assert world.count("calendar.events.patch") == 0
    assert world.count("calendar.events.instances") == 0
    statuses = world.control.requests(operation=LIST)["items"]
    assert {item["status"] for item in statuses} <= {200}


def test_forged_tokens_are_refused_and_publish_nothing(world: World, recorder: RecordingTransport) -> None:
    """A notification with a wrong or missing token is answered 403, publishes nothing and costs no API call."""
    world.activate(ALICE)
    genuine = next(p.headers for p in recorder.pushes if p.headers["x-goog-resource-state"] == "sync")
    before = _syncs_published(world)
    world.control.clear_requests()
    forged = {**genuine, "x-goog-resource-state": "exists", "x-goog-message-number": "999"}
    forged["x-goog-channel-token"] = "A" * len(genuine["x-goog-channel-token"])
    assert post_notification(world, forged).status_code == 403
    missing = {k: v for k, v in forged.items() if k != "x-goog-channel-token"}
    assert post_notification(world, missing).status_code == 403
    other_channel = {**genuine, "x-goog-channel-id": "forged-channel", "x-goog-resource-state": "exists"}
    response = post_notification(world, other_channel)
    assert response.status_code == 200 and response.json()["result"] == "unknown_channel"
    world.settle()
    assert _syncs_published(world) == before
    assert world.count(LIST) == 0
    assert world.count("calendar.channels.stop") == 0
    genuine_exists = {**genuine, "x-goog-resource-state": "exists", "x-goog-message-number": "1000"}
    assert post_notification(world, genuine_exists).status_code == 200
    world.settle()
    assert _syncs_published(world) == before + 1


def test_the_same_bus_message_redelivered_concurrently_converges(world: World) -> None:
    """One SyncCalendar message delivered 12 times from 4 threads: a refused delivery costs no call of its own.

    Each successful delivery lists once; a holder asked for another sync while it held the lease
    (by the refused ones) lists once more before letting go, so a refusal adds at most one list.
    """
    world.activate(ALICE)
    world.control.set_faults("calendar.events.watch", pushDropRate=1.0)
    create(world, ALICE, event_body("Missed by push", 4))
    world.settle()
    assert "Missed by push" not in stored(world, ALICE).values()
    message = BusMessage(
        topic=CALENDAR_SYNC,
        data=SyncCalendar(org_id=world.org.id, principal_id=pid(world, ALICE)).encode(),
        attributes={"channel_id": "c", "reason": "notification"},
        ordering_key=calendar_key(world.org.id, pid(world, ALICE)),
        message_id="the-one-message",
    )
    headers, body = pubsub_envelope(message, "local")
    function = world.runtime.function_apps["sync_calendar"]
    answers: list[int] = []
    lock = threading.Lock()
    world.control.clear_requests()

    def deliver(times: int) -> None:
        done = 0
        while done < times:  # Pub/Sub redelivers until the function answers 2xx
            status = Client(function).post("/", headers=headers, data=json.dumps(body)).status_code
            with lock:
                answers.append(status)
            done += status < 300

    threads = [threading.Thread(target=deliver, args=(3,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(1 for status in answers if status < 300) == 12
    assert set(answers) <= {204, 200, 500}
    refused = sum(1 for status in answers if status >= 300)
    assert 12 <= world.count(LIST, ALICE) <= 12 + refused
    assert stored(world, ALICE) == truth(world, ALICE)
    assert "Missed by push" in stored(world, ALICE).values()
