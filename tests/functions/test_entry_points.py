"""Every entry point loads through functions-framework from main.py, as Cloud Functions loads it."""

from __future__ import annotations

import base64
import gc
import json
import logging
from collections.abc import Iterator
from typing import Any

import flask
import functions_framework
import pytest

from functions.registry import ENTRY_POINTS
from shared.bootstrap import build, set_app
from shared.config import Settings
from shared.runtime.server import main_source

HTTP = [ep.name for ep in ENTRY_POINTS if ep.trigger in ("http", "scheduled")]
EVENTS = [ep.name for ep in ENTRY_POINTS if ep.trigger == "pubsub"]
ADMIN = {"Authorization": "Bearer test-admin-token"}
CE_HEADERS = {
    "ce-id": "1",
    "ce-specversion": "1.0",
    "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
    "ce-source": "//pubsub.googleapis.com/projects/p/topics/t",
    "Content-Type": "application/json",
}


@pytest.fixture(autouse=True)
def _app(settings: Settings) -> Iterator[None]:
    app = build(settings)
    set_app(app)
    yield
    set_app(None)
    app.close()


def _envelope(data: bytes) -> dict[str, Any]:
    message = {"data": base64.b64encode(data).decode(), "attributes": {}, "messageId": "1"}
    return {"message": {**message, "publishTime": "2026-11-24T09:00:00.123456789Z"}, "subscription": "s"}


def _schema_message(name: str) -> bytes:
    fields = {
        "sync_calendar": {"org_id": "nobody", "principal_id": "p"},
        "rewrite_join_details": {"org_id": "nobody", "principal_id": "p", "event_id": "e"},
        "check_vacation": {"org_id": "nobody", "principal_ids": ["p"]},
        "provision_user": {"org_id": "nobody", "principal_id": "p", "action": "activate"},
    }[name]
    return json.dumps({"kind": name, "v": 1, **fields}).encode()


def test_main_reexports_every_entry_point() -> None:
    """main.py names every function of the registry and nothing else."""
    import main

    assert sorted(main.__all__) == sorted(ep.name for ep in ENTRY_POINTS)
    for name in main.__all__:
        assert callable(getattr(main, name))


@pytest.mark.parametrize("name", HTTP)
def test_http_entry_points_answer_honestly(name: str) -> None:
    """An HTTP function not built yet answers 501 with a JSON body naming the capability."""
    client = functions_framework.create_app(target=name, source=main_source()).test_client()
    response = client.post("/", json={}, headers=ADMIN)
    if response.status_code == 501:
        body = response.get_json()
        assert body["error"]["code"] == "not_implemented" and body["error"]["capability"]
    else:
        assert response.status_code < 500
        assert response.is_json


@pytest.mark.parametrize("name", EVENTS)
def test_event_entry_points_take_eventarc_cloudevents(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """A Pub/Sub function takes the binary CloudEvent Eventarc sends and acknowledges a message for no org (200)."""
    client = functions_framework.create_app(target=name, source=main_source()).test_client()
    body = _envelope(_schema_message(name))
    with caplog.at_level(logging.INFO):
        response = client.post("/", headers={**CE_HEADERS, **ADMIN}, data=json.dumps(body))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"] in ("done", "acknowledged")
    assert any(r.getMessage() == "message handled" for r in caplog.records)


@pytest.mark.parametrize("name", EVENTS)
def test_event_entry_points_take_structured_cloudevents(name: str) -> None:
    """A structured-mode CloudEvent (application/cloudevents+json) carrying the push body is understood too."""
    client = functions_framework.create_app(target=name, source=main_source()).test_client()
    event = {
        "specversion": "1.0",
        "id": "9",
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//pubsub.googleapis.com/projects/p/topics/t",
        "datacontenttype": "application/json",
        "data": _envelope(_schema_message(name)),
    }
    headers = {"Content-Type": "application/cloudevents+json", **ADMIN}
    response = client.post("/", headers=headers, data=json.dumps(event))
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("name", EVENTS)
def test_a_message_of_another_schema_is_refused_for_the_dead_letter_topic(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A message the topic's schema does not decode answers 400, so Pub/Sub redelivers and then dead-letters it."""
    client = functions_framework.create_app(target=name, source=main_source()).test_client()
    body = _envelope(b'{"kind": "nothing"}')
    with caplog.at_level(logging.WARNING):
        response = client.post("/", headers={"Content-Type": "application/json", **ADMIN}, data=json.dumps(body))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"
    assert any(r.getMessage().startswith("push refused") for r in caplog.records)


@pytest.mark.parametrize(
    ("headers", "payload"),
    [
        ({**CE_HEADERS, "ce-type": "x", "ce-source": "//x/topics/t"}, json.dumps({"nope": 1})),
        ({"Content-Type": "application/json"}, "not json"),
        ({"Content-Type": "application/json"}, json.dumps({"message": {"data": "%%%"}})),
        ({"Content-Type": "application/json"}, json.dumps({**_envelope(b"{}"), "deliveryAttempt": "five"})),
        ({"Content-Type": "application/cloudevents+json"}, json.dumps({"specversion": "1.0"})),
    ],
)
def test_a_body_that_is_no_pubsub_message_is_a_400_not_a_crash(headers: dict[str, str], payload: str) -> None:
    """Anything that is not a Pub/Sub push (or its CloudEvent) gets a 400 with a JSON body."""
    client = functions_framework.create_app(target=EVENTS[0], source=main_source()).test_client()
    response = client.post("/", headers={**headers, **ADMIN}, data=payload)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_the_first_answer_freezes_the_start_up_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry point taken from main.py moves the heap into the permanent generation after its first answer."""
    import main

    freezes: list[int] = []
    real_freeze = gc.freeze

    def counting_freeze() -> None:
        freezes.append(1)
        real_freeze()

    monkeypatch.setattr(gc, "freeze", counting_freeze)
    gc.unfreeze()
    main._frozen = False
    entry = main.calendar_webhook
    assert gc.get_freeze_count() == 0
    try:
        with flask.Flask(__name__).test_request_context("/", method="GET"):
            response = entry(flask.request)
        assert response.status_code == 405
        assert gc.get_freeze_count() > 0
        assert len(freezes) == 1
        with flask.Flask(__name__).test_request_context("/", method="GET"):
            entry(flask.request)
        # Frozen objects can still be freed by reference counting, so the count may shrink; a second freeze
        # is what must not happen.
        assert len(freezes) == 1
    finally:
        gc.unfreeze()
