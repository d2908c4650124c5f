"""The soak's quick mode runs in CI: faults everywhere, restarts, then every assertion holds.

A second test plants the damage each assertion exists to catch, so a check that silently
passes everything would fail here.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench import soak, soak_checks
from bench.soak_workload import Workload
from bench.soak_world import SoakWorld
from shared.domain.joinblock import BLOCK_BEGIN, BLOCK_END

pytestmark = pytest.mark.slow


def test_quick_soak_passes_every_assertion(tmp_path: Path) -> None:
    """The quick soak (16 users, 400 operations, 10% 429/503, dropped pushes, a restart, a kill -9) has no failure."""
    out = soak.run(soak.QUICK, tmp_path)
    assert {name: failures for name, failures in out.failures.items() if failures} == {}
    assert len(out.failures) == 8
    figures = out.figures

    def number(name: str) -> int:
        value = figures[name]
        assert isinstance(value, int)
        return value

    assert number("restarts") == soak.QUICK.restarts + 2  # the workload's, the dispatch phase's, the room phase's
    assert number("crashes") == soak.QUICK.crashes >= 1  # kill -9 of the service process mid-workload
    assert number("dead_letters") == 0
    assert number("pushes_dropped") > 0 and number("pushes_duplicated") > 0
    calls = figures["google_calls"]
    assert isinstance(calls, dict)
    assert sum(s.get("429", 0) + s.get("503", 0) for s in calls.values()) > 0
    assert number("join_buttons_due") == number("join_buttons_recorded") > 0
    assert number("keyworded_organiser_events") > 0 and number("users_out_of_office") > 0
    assert number("room_no_shows_released") > 0 and number("room_check_ins") > 0
    assert number("room_patches_ok") == number("room_no_shows_released")  # one patch per released room
    states = figures["presence_by_state"]  # focus blocks and working locations were in effect at the checks
    assert isinstance(states, dict) and states.get("do_not_disturb", 0) > 0 and states["with a working location"] > 0


def test_the_checks_catch_planted_damage(tmp_path: Path) -> None:
    """A lost meeting, a stray block, changed text, wrong presence and plaintext on disk are each reported."""
    world = SoakWorld(tmp_path, 3)
    try:
        for email in world.emails:
            world.activate(email)
        world.settle()
        work = Workload(world, random.Random(5), horizon_days=1)
        for _ in range(12):
            work.op_create()
        world.settle()
        email = world.emails[0]
        truth = {p.email: soak_checks.truth_items(world, p.email) for p in soak_checks.principals(world)}
        assert soak_checks.store_equals_truth(world, truth) == []
        organiser_items = [i for i in truth[email] if i.get("organizer", {}).get("self")]
        assert organiser_items, "the seeded workload gave the first user an event"
        victim = organiser_items[0]
        world.app.stores.meetings.delete_meetings(world.org.id, world.principal_id(email), [victim["id"]])
        assert soak_checks.store_equals_truth(world, truth) != []
        broken = {**victim, "location": "", "description": victim.get("description", "") + " changed"}
        damaged = {**truth, email: [broken, *organiser_items[1:]]}
        assert soak_checks.user_text(world, work.model, damaged)[0] != []
        stray = {**victim, "location": "", "description": f"text\n{BLOCK_BEGIN}\njoin\n{BLOCK_END}"}
        assert soak_checks.join_blocks(world, {**truth, email: [stray]})[0] != []
        work.model.vacation[email] = True
        assert soak_checks.presence_right(world, work.model)[0] != []
        world.close()
        (world.data_dir / "leak.txt").write_text(f"{work.model.events[victim['id']].title}")
        assert soak_checks.no_plaintext(world.data_dir, [], work.model.sensitive)[0] != []
        assert soak_checks.no_plaintext(world.data_dir, [], {"never written"})[0] == []
    finally:
        world.close()


def test_the_status_check_derives_presence_from_the_calendar_truth() -> None:
    """Focus beats a meeting; an accepted meeting is in_meeting, an unanswered one not; a timed location wins."""
    from datetime import UTC, datetime, timedelta

    from bench.soak_status import expected
    from shared.domain.presence import PresenceStatus

    now, me = datetime(2026, 11, 24, 10, tzinfo=UTC), "a@example.com"

    def item(kind: str, minutes: int = 30, **fields: object) -> dict[str, object]:
        span = (
            {"dateTime": (now - timedelta(minutes=5)).isoformat()},
            {"dateTime": (now + timedelta(minutes=minutes)).isoformat()},
        )
        return {"eventType": kind, "start": span[0], "end": span[1], **fields}

    accepted = item("default", attendees=[{"email": me, "responseStatus": "accepted"}], organizer={"email": "b@x"})
    unanswered = item("default", attendees=[{"email": me, "responseStatus": "needsAction"}], organizer={"email": "b@x"})
    office = {"type": "officeLocation", "officeLocation": {"label": "HQ 2F"}}
    all_day = {
        "eventType": "workingLocation",
        "start": {"date": "2026-11-24"},
        "end": {"date": "2026-11-25"},
        "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
    }
    assert expected([unanswered], me, now) == (PresenceStatus.AVAILABLE, "")
    assert expected([accepted], me, now) == (PresenceStatus.IN_MEETING, "")
    assert expected([accepted, item("focusTime")], me, now)[0] is PresenceStatus.DO_NOT_DISTURB
    timed = item("workingLocation", workingLocationProperties=office)
    assert expected([all_day], me, now) == (PresenceStatus.AVAILABLE, "home|")
    assert expected([all_day, timed], me, now) == (PresenceStatus.AVAILABLE, "office|HQ 2F")
    assert expected([item("focusTime", minutes=-1)], me, now)[0] is PresenceStatus.AVAILABLE  # already ended
