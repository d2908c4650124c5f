"""Every entry point loads through functions-framework from main.py, as Cloud Functions loads it."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator

import functions_framework
import pytest

from functions.registry import ENTRY_POINTS
from shared.bootstrap import build, set_app
from shared.config import Settings
from shared.runtime.server import main_source

HTTP = [ep.name for ep in ENTRY_POINTS if ep.trigger in ("http", "scheduled")]
EVENTS = [ep.name for ep in ENTRY_POINTS if ep.trigger == "pubsub"]


@pytest.fixture(autouse=True)
def _app(settings: Settings) -> Iterator[None]:
    app = build(settings)
    set_app(app)
    yield
    set_app(None)
    app.close()


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
    response = client.post("/", json={})
    if response.status_code == 501:
        body = response.get_json()
        assert body["error"]["code"] == "not_implemented" and body["error"]["capability"]
    else:
        assert response.status_code < 500
        assert response.is_json


@pytest.mark.parametrize("name", EVENTS)
def test_event_entry_points_take_pubsub_cloudevents(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """An event function decodes an Eventarc Pub/Sub CloudEvent and acknowledges it (200)."""
    client = functions_framework.create_app(target=name, source=main_source()).test_client()
    body = {
        "message": {
            "data": base64.b64encode(b'{"kind": "nothing"}').decode(),
            "attributes": {},
            "messageId": "1",
            "publishTime": "2026-11-24T09:00:00Z",
        },
        "subscription": "projects/p/subscriptions/s",
    }
    headers = {
        "ce-id": "1",
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
        "ce-source": "//pubsub.googleapis.com/projects/p/topics/t",
        "Content-Type": "application/json",
    }
    with caplog.at_level(logging.WARNING):
        response = client.post("/", headers=headers, data=json.dumps(body))
    assert response.status_code == 200
    assert any("acknowledged" in r.getMessage() for r in caplog.records)


def test_event_entry_point_refuses_non_pubsub_event(caplog: pytest.LogCaptureFixture) -> None:
    """A CloudEvent without a Pub/Sub message is acknowledged as invalid input, not a crash."""
    client = functions_framework.create_app(target=EVENTS[0], source=main_source()).test_client()
    headers = {
        "ce-id": "2",
        "ce-specversion": "1.0",
        "ce-type": "x",
        "ce-source": "//x/topics/t",
        "Content-Type": "application/json",
    }
    with caplog.at_level(logging.WARNING):
        response = client.post("/", headers=headers, data=json.dumps({"nope": 1}))
    assert response.status_code == 200
    assert any(getattr(r, "hybridcal_context", {}).get("error_code") == "invalid_input" for r in caplog.records)
