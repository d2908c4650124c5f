"""Finding 3: forged notifications for a stopped channel cost nothing, genuine ones one ``channels.stop``."""

from __future__ import annotations

import logging

import pytest

from shared.domain.sync import ChannelState
from tests.faults.support import ALICE, RecordingTransport, pid, post_notification
from tests.support.world import World

STOP = "calendar.channels.stop"


def test_forged_stop_flood_costs_no_channels_stop_and_genuine_ones_one(
    world: World, recorder: RecordingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    """2,000 forged POSTs for a stopped channel are 403 and stop nothing; 50 genuine ones cost one channels.stop."""
    world.activate(ALICE)
    genuine = next(p.headers for p in recorder.pushes if p.headers["x-goog-resource-state"] == "sync")
    channel_id, resource_id = genuine["x-goog-channel-id"], genuine["x-goog-resource-id"]
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    channels = world.app.stores.channels.channels_of(world.org.id, pid(world, ALICE))
    assert [c.state for c in channels if c.id == channel_id] == [ChannelState.STOPPED]
    world.control.clear_requests()
    caplog.set_level(logging.DEBUG)
    forged = {**genuine, "x-goog-resource-state": "exists", "x-goog-channel-token": "forged"}
    statuses = [post_notification(world, forged).status_code for _ in range(2000)]
    world.settle()
    assert set(statuses) == {403}
    assert world.count(STOP) == 0
    real = {**genuine, "x-goog-resource-state": "exists"}
    answers = [post_notification(world, real).json()["result"] for _ in range(50)]
    world.settle()
    assert set(answers) == {"unknown_channel"}
    assert world.count(STOP) == 1
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert not [r.getMessage() for r in loud if channel_id in str(r.__dict__) or resource_id in str(r.__dict__)]
