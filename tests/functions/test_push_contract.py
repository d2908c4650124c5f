"""The Pub/Sub functions see the real ``deliveryAttempt`` and ``orderingKey`` of a wrapped push body."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from functions.registry import ENTRY_POINTS
from shared import logs
from shared.ports import BusMessage
from shared.ports.messages import CheckVacation, ProvisionUser, RewriteJoinDetails, SyncCalendar
from shared.topics import USER_PROVISIONING
from tests.support.pump import DOMAIN, USERS, PumpWorld, make_pump_world

ALICE = USERS[0]["email"]
PUBSUB = [ep for ep in ENTRY_POINTS if ep.trigger == "pubsub"]
MESSAGES = {
    "sync_calendar": SyncCalendar(org_id="no-org", principal_id="p1"),
    "rewrite_join_details": RewriteJoinDetails(org_id="no-org", principal_id="p1", event_id="e1"),
    "check_vacation": CheckVacation(org_id="no-org", principal_ids=("p1",)),
    "provision_user": ProvisionUser(org_id="no-org", principal_id="p1", action="activate"),
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PumpWorld]:
    w = make_pump_world(tmp_path)
    yield w
    w.close()


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the process logs, as the JSON lines Cloud Logging would read."""
    stream = io.StringIO()
    logs.configure("INFO", stream)
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h.formatter, logs.JsonFormatter)]:
        root.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize("ep", PUBSUB, ids=lambda ep: ep.name)
def test_each_pubsub_function_sees_delivery_attempt_and_ordering_key(
    world: PumpWorld, json_lines: io.StringIO, ep: Any
) -> None:
    """A raw push body with deliveryAttempt 5 and an ordering key reaches the function with both intact."""
    message = BusMessage(ep.topic, MESSAGES[ep.name].encode(), {"a": "b"}, "no-org/p1", f"{ep.name}-5")
    response = world.functions.push(ep.name, message, attempt=5)
    assert response.status_code == 200, response.get_json()
    handled = [line for line in _lines(json_lines) if line["message"] == "message handled"]
    assert len(handled) == 1
    line = handled[0]
    assert (line["function"], line["topic"], line["message_id"]) == (ep.name, ep.topic, f"{ep.name}-5")
    assert line["delivery_attempt"] == 5
    assert line["ordering_key"] == "no-org/p1"


def test_a_push_body_without_delivery_attempt_counts_as_the_first(world: PumpWorld, json_lines: io.StringIO) -> None:
    """A subscription without a dead-letter policy sends no deliveryAttempt: that is attempt 1."""
    message = BusMessage("calendar-sync", MESSAGES["sync_calendar"].encode(), {}, None, "m-none")
    assert world.functions.push("sync_calendar", message, attempt=None).status_code == 200
    handled = [line for line in _lines(json_lines) if line["message"] == "message handled"]
    assert handled[0]["delivery_attempt"] == 1 and "ordering_key" not in handled[0]


def _org_and_activation(world: PumpWorld) -> str:
    created = world.functions.call(
        "admin_api", "POST", "/admin/v1/orgs", json={"domain": DOMAIN, "service_account_key": world.key}
    )
    assert created.status_code == 201, created.get_json()
    org_id = str(created.get_json()["id"])
    answer = world.functions.call(
        "admin_api", "POST", f"/admin/v1/orgs/{org_id}/principals", json={"email": ALICE, "kind": "person"}
    )
    assert answer.status_code == 202, answer.get_json()
    return org_id


def _principal(world: PumpWorld, org_id: str) -> dict[str, Any]:
    answer = world.functions.call("admin_api", "GET", f"/admin/v1/orgs/{org_id}/principals/{ALICE}")
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def test_activation_with_google_down_ends_unavailable_on_the_last_attempt(world: PumpWorld) -> None:
    """Google 503 on every call: attempt 1 is not acknowledged (validating); attempt 5 ends in error/unavailable."""
    org_id = _org_and_activation(world)
    [queued] = world.bus.take(USER_PROVISIONING)
    world.control.set_faults("*", rate503=1.0, retryAfter=0)
    first = world.functions.push("provision_user", queued, attempt=1)
    assert first.status_code >= 500  # not acknowledged: Pub/Sub redelivers
    assert _principal(world, org_id)["state"] == "validating"
    last = world.functions.push("provision_user", queued, attempt=5)
    assert last.status_code == 200, last.get_json()
    principal = _principal(world, org_id)
    assert (principal["state"], principal["reason"]) == ("error", "unavailable")
    assert principal["hint"] and "5 attempts" in principal["detail"]


def test_deactivation_during_an_outage_destroys_the_data_on_the_last_attempt(world: PumpWorld) -> None:
    """With Google down a deactivation is not acknowledged, and on the last attempt the data is destroyed regardless."""
    org_id = _org_and_activation(world)
    world.settle()
    assert _principal(world, org_id)["state"] == "active"
    pid = world.app.stores.principals.principal_id(org_id, ALICE)
    assert world.app.stores.channels.channels_of(org_id, pid)
    world.control.set_faults("*", rate503=1.0, retryAfter=0)
    assert world.functions.call("admin_api", "DELETE", f"/admin/v1/orgs/{org_id}/principals/{ALICE}").status_code == 202
    [queued] = world.bus.take(USER_PROVISIONING)
    assert world.functions.push("provision_user", queued, attempt=1).status_code >= 500
    assert _principal(world, org_id)["state"] == "active"
    assert world.functions.push("provision_user", queued, attempt=5).status_code == 200
    assert _principal(world, org_id)["state"] == "deactivated"
    assert world.app.stores.meetings.count_meetings(org_id, pid) == 0
    assert all(c.state.value == "stopped" for c in world.app.stores.channels.channels_of(org_id, pid))


def test_a_push_from_the_dead_letter_topic_is_recorded_for_admins(world: PumpWorld) -> None:
    """A dead letter pushed back to its consumer (the endpoint path names it) is counted in the admin API."""
    data = MESSAGES["sync_calendar"].encode()
    attributes = {"CloudPubSubDeadLetterSourceDeliveryCount": "5"}
    dead = BusMessage("calendar-sync-dead-letter", data, attributes, None, "dead-1")
    path = "/projects/pump/topics/calendar-sync-dead-letter"
    answer = world.functions.push("sync_calendar", dead, attempt=None, path=path)
    assert answer.status_code == 200 and answer.get_json() == {"result": "dead_letter_recorded"}
    summary = world.functions.call("admin_api", "GET", "/admin/v1/dead-letters").get_json()
    assert summary["total"] == 1 and summary["topics"]["calendar-sync"]["count"] == 1
    assert "after 5 deliveries" in summary["topics"]["calendar-sync"]["last_error"]
    again = world.functions.push("sync_calendar", dead, attempt=None, path=path)
    assert again.status_code == 200
    assert world.functions.call("admin_api", "GET", "/admin/v1/dead-letters").get_json()["total"] == 1
