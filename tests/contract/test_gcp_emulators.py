"""Google's Firestore and Pub/Sub emulators start for the session and answer their REST APIs."""

from __future__ import annotations

import httpx
import pytest

from tests.support.gcp_emulators import EmulatorProcess

PROJECT = "hybridcal-test"


@pytest.mark.firestore
def test_firestore_emulator_stores_a_document(firestore_emulator: EmulatorProcess) -> None:
    """A document written through the Firestore REST API reads back, and a reset empties the database."""
    root = f"http://{firestore_emulator.host_port}"
    docs = f"/v1/projects/{PROJECT}/databases/(default)/documents"
    with httpx.Client(base_url=root, timeout=60) as http:
        created = http.post(f"{docs}/probe?documentId=one", json={"fields": {"n": {"integerValue": "1"}}})
        assert created.status_code == 200, created.text
        assert http.get(f"{docs}/probe/one").json()["fields"]["n"]["integerValue"] == "1"
        assert http.delete(f"/emulator{docs}").status_code == 200
        assert http.get(f"{docs}/probe/one").status_code == 404


@pytest.mark.pubsub
def test_pubsub_emulator_round_trips_a_message(pubsub_emulator: EmulatorProcess) -> None:
    """A topic, a subscription, a publish and a pull work on the Pub/Sub emulator."""
    with httpx.Client(base_url=f"http://{pubsub_emulator.host_port}/v1/projects/{PROJECT}", timeout=60) as http:
        assert http.put("/topics/probe").status_code == 200
        sub = http.put("/subscriptions/probe-sub", json={"topic": f"projects/{PROJECT}/topics/probe"})
        assert sub.status_code == 200, sub.text
        message = {"data": "aGk=", "attributes": {"a": "1"}}
        assert http.post("/topics/probe:publish", json={"messages": [message]}).status_code == 200
        pulled = http.post("/subscriptions/probe-sub:pull", json={"maxMessages": 1}).json()
        assert pulled["receivedMessages"][0]["message"]["data"] == "aGk="
