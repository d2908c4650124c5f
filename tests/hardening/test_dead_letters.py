"""Finding 8 and the pending flag: dead letters name their org, principal and error, for the API and the CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from shared.adapters.google.http import RetryPolicy
from shared.cli import app as cli_app
from shared.runtime.server import RuntimeServer
from shared.topics import CALENDAR_SYNC
from tests.faults.support import ALICE, RecordingTransport, pid, post_notification
from tests.support.world import World, make_world

LIST = "calendar.events.list"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[World, RecordingTransport, str]]:
    """A world served over HTTP (for the CLI), Google calls tried once, pushes recorded."""
    world = make_world(tmp_path)
    assert world.app.google is not None
    world.app.google.http.policy = RetryPolicy(max_attempts=1)
    recorder = RecordingTransport(httpx.WSGITransport(app=world.runtime))
    world.emulator_state.set_push_transport(recorder)
    server = RuntimeServer(world.runtime, "127.0.0.1", 0).start()
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    try:
        yield world, recorder, server.url
    finally:
        world.settle()
        server.stop()
        access_log.setLevel(level)
        world.emulator_state.close()
        world.control.close()


def test_a_sync_that_keeps_failing_is_counted_per_topic_and_principal_and_marks_the_principal(
    served: tuple[World, RecordingTransport, str],
) -> None:
    """A notification whose sync fails every attempt: one dead letter with Alice, the topic and the error in the
    admin API and the CLI; Alice is active with reason processing_failed; the pending flag does not hold back
    the next notification."""
    world, recorder, url = served
    world.activate(ALICE)
    genuine = next(p.headers for p in recorder.pushes if p.headers["x-goog-resource-state"] == "sync")
    world.control.set_faults(LIST, failNext=["503"] * 50, retryAfter=0)
    world.control.clear_requests()
    notification = {**genuine, "x-goog-resource-state": "exists", "x-goog-message-number": "77"}
    assert post_notification(world, notification).json()["result"] == "published"
    world.settle()
    dead = world.app.bus.dead_letters()  # type: ignore[attr-defined]
    assert [d.message.topic for d in dead] == [CALENDAR_SYNC]
    assert world.count(LIST) == 4  # the bus's four attempts, one call each
    state, _ = world.app.stores.sync_states.get_sync_state(world.org.id, pid(world, ALICE))
    assert state.pending is False
    admin = {"Authorization": "Bearer admin"}
    overall = httpx.get(f"{url}/admin/v1/dead-letters", headers=admin).json()
    assert overall["total"] == 1 and overall["topics"][CALENDAR_SYNC]["count"] == 1
    assert "unavailable" in overall["topics"][CALENDAR_SYNC]["last_error"].lower()
    org = httpx.get(f"{url}/admin/v1/orgs/example-com/dead-letters", headers=admin).json()
    assert [(p["email"], p["count"], p["topics"]) for p in org["principals"]] == [(ALICE, 1, {CALENDAR_SYNC: 1})]
    shown = httpx.get(f"{url}/admin/v1/orgs/example-com/principals/{ALICE}", headers=admin).json()
    assert (shown["state"], shown["reason"]) == ("active", "processing_failed")
    assert CALENDAR_SYNC in shown["detail"] and shown["hint"] and shown["dead_letters"]["count"] == 1
    result = CliRunner().invoke(cli_app, ["dead-letters", "example-com", "--url", url, "--token", "admin", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["principals"][0]["email"] == ALICE
    wide = CliRunner(env={"COLUMNS": "240"})
    table = wide.invoke(cli_app, ["dead-letters", "example-com", "--url", url, "--token", "admin"])
    assert table.exit_code == 0 and CALENDAR_SYNC in table.stdout and ALICE in table.stdout
    world.control.clear_faults()
    again = {**notification, "x-goog-message-number": "78"}
    assert post_notification(world, again).json()["result"] == "published"  # not "coalesced" behind a dead sync


def test_a_poison_message_about_no_known_org_is_kept_deployment_wide(
    served: tuple[World, RecordingTransport, str],
) -> None:
    """A message whose ids break the handler is dead-lettered and shown with its topic and error, not just logged."""
    world, _, url = served
    poison = b'{"kind":"sync_calendar","v":1,"org_id":"no/such-org","principal_id":"p1"}'
    world.app.bus.publish(CALENDAR_SYNC, poison, ordering_key="poison")
    world.settle()
    overall = httpx.get(f"{url}/admin/v1/dead-letters", headers={"Authorization": "Bearer admin"}).json()
    assert overall["total"] == 1 and overall["topics"][CALENDAR_SYNC]["count"] == 1
    assert "ValueError" in overall["topics"][CALENDAR_SYNC]["last_error"]
    result = CliRunner().invoke(cli_app, ["dead-letters", "--url", url, "--token", "admin"])
    assert result.exit_code == 0 and "1 dead letters" in result.stdout
