"""The sync itself under faults: a crash before the token write, 410 mid-paging, 429 and 503, lost notifications.

After quiescence the store equals the emulator's truth for the window, every time.
"""

from __future__ import annotations

import pytest

from shared.errors import Unavailable
from tests.faults.support import (
    ALICE,
    BOB,
    FailTokenWriteOnce,
    InvalidatingCalendar,
    create,
    create_many,
    delete,
    delete_many,
    event_body,
    pid,
    principal,
    rename,
    stored,
    sync_service,
    truth,
)
from tests.support.world import World

LIST = "calendar.events.list"


def _drop_pushes(world: World) -> None:
    world.control.set_faults("calendar.events.watch", pushDropRate=1.0)


def _token(world: World, email: str) -> str | None:
    state, _ = world.app.stores.sync_states.get_sync_state(world.org.id, pid(world, email))
    return state.sync_token


def test_crash_between_meetings_and_token_repeats_work_and_never_skips_it(world: World) -> None:
    """A sync dying on its token write leaves the old token; the next sync takes its lease over and repeats the work."""
    world.activate(ALICE)
    _drop_pushes(world)
    keep = create(world, ALICE, event_body("Kept", 2))
    gone = create(world, ALICE, event_body("Gone", 3))
    world.settle()
    world.app.sync.sync(world.org.id, pid(world, ALICE))
    old_token = _token(world, ALICE)
    rename(world, ALICE, keep["id"], "Kept (renamed)")
    delete(world, ALICE, gone["id"])
    create(world, ALICE, event_body("New", 4))
    failing = FailTokenWriteOnce(world.app.stores.sync_states)
    crashed = sync_service(world, world.app.calendar, sync_states=failing)
    with pytest.raises(Unavailable):
        crashed.sync(world.org.id, pid(world, ALICE))
    assert failing.failed == 1
    assert _token(world, ALICE) == old_token  # meetings were stored, the token was not
    assert stored(world, ALICE) == truth(world, ALICE)
    state, _ = world.app.stores.sync_states.get_sync_state(world.org.id, pid(world, ALICE))
    assert state.leased(world.clock.now())  # the dead worker (another process start) still holds its lease
    world.control.clear_requests()
    report = world.app.sync.sync(world.org.id, pid(world, ALICE))
    assert not report.full and report.events == 3  # the same three changes, again
    assert world.count(LIST, ALICE) == 1
    assert _token(world, ALICE) not in (None, old_token)
    assert stored(world, ALICE) == truth(world, ALICE)
    assert sorted(stored(world, ALICE).values()) == ["Kept (renamed)", "New"]


def test_sync_token_invalidated_in_the_middle_of_paging_falls_back_to_a_full_sync(world: World) -> None:
    """A 410 on the second page of a 300-change incremental listing turns into a bounded full sync that converges."""
    world.activate(ALICE)
    _drop_pushes(world)
    ids = create_many(world, ALICE, [event_body(f"Bulk {i}", 1 + i * 0.5) for i in range(300)])
    delete_many(world, ALICE, ids[:20])
    create(world, ALICE, event_body("Beyond the window", 24 * 45))
    calendar = InvalidatingCalendar(world.app.calendar, world.control)
    service = sync_service(world, calendar)
    world.control.clear_requests()
    report = service.sync(world.org.id, pid(world, ALICE))
    assert calendar.invalidated == 1
    assert report.full and "sync token expired: full sync" in report.notes
    counts = world.control.requests()["countsByOperationStatus"][LIST]
    assert counts["410"] == 1 and counts["200"] == 2  # page 1, then the full sync's one page (2,500 a page)
    expected = truth(world, ALICE)
    assert len(expected) == 280
    assert stored(world, ALICE) == expected
    world.control.clear_faults()
    world.control.clear_requests()
    create(world, ALICE, event_body("After the resync", 30))  # the full sync's token works
    world.settle()
    assert world.count(LIST, ALICE) == 1
    assert stored(world, ALICE) == truth(world, ALICE)


def test_injected_429_and_503_on_events_list_are_retried(world: World) -> None:
    """A 429 then a 503 on events.list cost two retries inside one sync, and the change is stored."""
    world.activate(ALICE)
    world.control.clear_requests()
    world.control.set_faults(LIST, failNext=[429, 503])
    create(world, BOB, event_body("Invite under load", 6, attendees=(ALICE,)))
    world.settle()
    assert world.control.requests()["countsByOperationStatus"][LIST] == {"429": 1, "503": 1, "200": 1}
    assert "Invite under load" in stored(world, ALICE).values()
    assert stored(world, ALICE) == truth(world, ALICE)


@pytest.mark.parametrize("seed", [11, 12])
def test_random_429_and_503_storms_converge(world: World, seed: int) -> None:
    """With a quarter of events.list calls failing 429 or 503 at random, the store still equals the truth."""
    world.activate(ALICE)
    world.activate(BOB)
    # failNext guarantees the storm starts with both kinds; the seeded rates keep it going at random.
    world.control.set_faults(LIST, failNext=[429, 503], rate429=0.15, rate503=0.1, seed=seed)
    for i in range(4):
        create(world, ALICE, event_body(f"Storm {seed}/{i}", 2 + i))
        create(world, BOB, event_body(f"Bob storm {seed}/{i}", 3 + i, attendees=(ALICE,)))
    world.settle(timeout=60)
    world.control.clear_faults()
    failures = {s for s, n in world.control.requests()["countsByOperationStatus"][LIST].items() if s != "200" and n}
    assert failures >= {"429", "503"}
    assert stored(world, ALICE) == truth(world, ALICE)
    assert stored(world, BOB) == truth(world, BOB)
    assert world.app.bus.dead_letters() == []  # type: ignore[attr-defined]


def test_reconcile_repairs_what_a_dropped_notification_missed(world: World) -> None:
    """With every push dropped, a create, a rename and a delete go unseen until reconcile repairs exactly 3."""
    world.activate(ALICE)
    renamed = create(world, ALICE, event_body("Old title", 2))
    gone = create(world, ALICE, event_body("Deleted later", 3))
    untouched = create(world, ALICE, event_body("Untouched", 4))
    world.settle()
    _drop_pushes(world)
    create(world, ALICE, event_body("Created unseen", 5))
    rename(world, ALICE, renamed["id"], "New title")
    delete(world, ALICE, gone["id"])
    world.settle()
    assert stored(world, ALICE) != truth(world, ALICE)
    assert sum(1 for p in world.control.pushes() if p["error"] == "dropped") == 3
    repaired = world.app.channels.reconcile(world.org, principal(world, ALICE))
    assert repaired == 3
    assert stored(world, ALICE) == truth(world, ALICE)
    assert stored(world, ALICE)[untouched["id"]] == "Untouched"
    assert world.app.channels.reconcile(world.org, principal(world, ALICE)) == 0
