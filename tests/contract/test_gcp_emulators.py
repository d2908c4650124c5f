"""Google's Firestore and Pub/Sub emulators start for the session and answer their REST APIs."""

from __future__ import annotations

import httpx
import pytest

from tests.support.gcp_emulators import EmulatorProcess


@pytest.mark.firestore
def test_firestore_emulator_stores_a_document(firestore_emulator: EmulatorProcess) -> None:
    """A document written through the Firestore REST API reads back, and a reset empties the database."""
    base = f"http://{firestore_emulator.host_port}/v1/projects/hybridcal-test/databases/(default)/documents"
    created = httpx.post(f"{base}/probe?documentId=one", json={"fields": {"n": {"integerValue": "1"}}})
    assert created.status_code == 200, created.text
    assert httpx.get(f"{base}/probe/one").json()["fields"]["n"]["integerValue"] == "1"
    reset = httpx.delete(
        f"http://{firestore_emulator.host_port}/emulator/v1/projects/hybridcal-test/databases/(default)/documents"
    )
    assert reset.status_code == 200
    assert httpx.get(f"{base}/probe/one").status_code == 404


@pytest.mark.pubsub
def test_pubsub_emulator_round_trips_a_message(pubsub_emulator: EmulatorProcess) -> None:
    """A topic, a subscription, a publish and a pull work on the Pub/Sub emulator."""
    base = f"http://{pubsub_emulator.host_port}/v1/projects/hybridcal-test"
    assert httpx.put(f"{base}/topics/probe").status_code == 200
    sub = httpx.put(f"{base}/subscriptions/probe-sub", json={"topic": "projects/hybridcal-test/topics/probe"})
    assert sub.status_code == 200, sub.text
    pub = httpx.post(f"{base}/topics/probe:publish", json={"messages": [{"data": "aGk=", "attributes": {"a": "1"}}]})
    assert pub.status_code == 200
    pulled = httpx.post(f"{base}/subscriptions/probe-sub:pull", json={"maxMessages": 1}).json()
    assert pulled["receivedMessages"][0]["message"]["data"] == "aGk="
