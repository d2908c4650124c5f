"""Fault-injection soak (``make soak``): many users, random operations, faults everywhere, then proof.

Default: 50 users and 2,000 seeded random operations in about ten minutes; ``--quick`` runs a
short version (about a minute) that CI runs through ``tests/soak/test_soak_quick.py``.

Injected faults: 10% of Calendar and Gmail calls answer 429 or 503; 2% of push notifications
are dropped and 2% duplicated; 1% of incremental listings answer 410 (sync token invalid) and
1% of operations invalidate a calendar's tokens outright; old SyncCalendar and
RewriteJoinDetails messages are re-published (redelivery, out of order, with and without their
ordering key); the service process is restarted at random points, some cleanly and some with
``kill -9`` in the middle of its work (queued and in-flight messages survive in the database,
pushes meanwhile answer 503). The scheduler's jobs run now and then, as they would every few minutes.

After quiescence and the reconcile passes the product's hourly maintenance would make, it
asserts: the store equals the emulator for every activated calendar; keyworded organiser
events carry exactly one join block and no other event one; no user text was lost; each join
button is sent exactly once (the clock is moved through every meeting); presence is right; each
no-show room is declined at Google once and no checked-in or exempt room (``bench/soak_rooms.py``);
nothing outside the window is stored; no sensitive value is in the SQLite files or the logs.
It prints the figures and exits non-zero if any assertion failed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench import soak_checks as checks
from bench import soak_rooms, soak_status
from bench.soak_workload import Workload
from bench.soak_world import ROOMS, LogCapture, SoakWorld
from shared.domain.principals import PrincipalKind
from shared.errors import HybridCalendarError
from shared.topics import CALENDAR_SYNC, JOIN_BUTTONS, JOIN_REWRITE


@dataclass(frozen=True, slots=True)
class Plan:
    """How big a soak run is."""

    users: int
    ops: int
    restarts: int
    crashes: int
    seed: int
    horizon_days: int
    budget_seconds: float


FULL = Plan(users=50, ops=2000, restarts=3, crashes=3, seed=20261124, horizon_days=4, budget_seconds=420)
QUICK = Plan(users=16, ops=400, restarts=1, crashes=1, seed=20261124, horizon_days=2, budget_seconds=45)
FAULTS = {
    "rate429": 0.05,
    "rate503": 0.05,
    "pushDropRate": 0.02,
    "pushDuplicateRate": 0.02,
    "syncTokenInvalidRate": 0.01,
}


@dataclass
class Outcome:
    """Figures and failures of one run."""

    figures: dict[str, object] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)


def _progress(text: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _republish(world: SoakWorld, rng: random.Random) -> int:
    """Re-publish old sync and rewrite messages: redelivery, out of order, sometimes without their key."""
    sent = 0
    for topic in (CALENDAR_SYNC, JOIN_REWRITE):
        seen = world.tapped(topic)
        for message in rng.sample(seen, min(len(seen), rng.randint(1, 3))):
            key = message.ordering_key if rng.random() < 0.5 else None
            world.bus.publish(topic, message.data, ordering_key=key, attributes=dict(message.attributes))
            sent += 1
    return sent


def _scheduler(world: SoakWorld, jobs: tuple[str, ...]) -> None:
    """Run scheduled jobs as Cloud Scheduler would (a failure is retried at the next run)."""
    for job in jobs:
        with contextlib.suppress(HybridCalendarError):
            world.runtime.run_job(job)


def _workload(world: SoakWorld, plan: Plan, out: Outcome) -> Workload:
    rng = random.Random(plan.seed)
    work = Workload(world, random.Random(plan.seed + 1), plan.horizon_days)
    points = rng.sample(range(plan.ops // 10, plan.ops), plan.restarts + plan.crashes)
    restart_at, kill_at = set(points[: plan.restarts]), set(points[plan.restarts :])
    redelivered = invalidated = 0
    deadline = time.monotonic() + plan.budget_seconds
    for i in range(plan.ops):
        if time.monotonic() > deadline:  # the run stays bounded on a slow machine; the report says so
            out.figures["stopped_early_after_ops"] = i
            break
        work.step()
        if rng.random() < 0.01:
            world.control.invalidate_sync_tokens(rng.choice(world.emails))
            invalidated += 1
        if rng.random() < 0.05:
            redelivered += _republish(world, rng)
        if i in restart_at or i in kill_at:
            world.restart(kill=i in kill_at)
            _progress(f"{'kill -9' if i in kill_at else 'restart'} after {i + 1} operations")
        if i % 250 == 249:
            _progress(f"{i + 1} operations")
        if i % 20 == 19:
            world.advance(timedelta(minutes=1))
        if i % 50 == 49:
            _scheduler(world, ("poll_vacations", "dispatch_join_buttons"))
        if i % 200 == 199:
            world.settle()
    world.settle()
    out.figures.update(redelivered=redelivered, invalidated_explicitly=invalidated)
    return work


def _reconcile(world: SoakWorld, out: Outcome) -> None:
    """The hourly maintenance's reconcile, repeated until a pass repairs nothing (at most five)."""
    world.advance(timedelta(minutes=11))  # past any lease a killed worker held and any stale pending flag
    repaired = []
    for _ in range(5):
        total = 0
        for p in checks.principals(world):
            for _attempt in range(5):
                try:
                    total += world.reconcile(p.id)
                    break
                except HybridCalendarError:
                    continue
        world.settle()
        repaired.append(total)
        if total == 0:
            break
    out.figures["reconcile_repaired_per_pass"] = repaired


def _dispatch_through(world: SoakWorld, expected: dict[tuple[str, str, str], datetime], rng: random.Random) -> int:
    """Move the clock to two minutes before every due start and dispatch (twice); restart once midway."""
    starts = sorted(set(expected.values()))
    restart_at = rng.randrange(len(starts)) if starts else -1
    runs = 0
    for n, start in enumerate(starts):
        world.clock.set(start - timedelta(minutes=2))
        for _ in range(2):
            world.runtime.run_job("dispatch_join_buttons")
            runs += 1
        if n == restart_at:
            world.restart()
    world.bus.wait_idle(30)
    return runs


def run(plan: Plan, tmp: Path) -> Outcome:
    """One soak run in ``tmp``; return its figures and failures."""
    out = Outcome()
    root_level = logging.getLogger().level
    capture = _capture_logs()
    started = time.monotonic()
    world = SoakWorld(tmp, plan.users)
    try:
        world.tap(JOIN_BUTTONS)
        world.tap(CALENDAR_SYNC)
        world.tap(JOIN_REWRITE)
        for email in world.emails:
            world.activate(email)
        for room in ROOMS:
            world.activate(room, PrincipalKind.ROOM, ["display"])
        world.settle()
        out.figures["activated"] = len(checks.principals(world))
        world.control.clear_requests()
        world.control.set_faults("*", seed=plan.seed, **FAULTS)
        t_work = time.monotonic()
        work = _workload(world, plan, out)
        out.figures["workload_seconds"] = round(time.monotonic() - t_work, 1)
        soak_status.last_burst(world, random.Random(plan.seed + 3), work.model.failed_calls, work.model.sensitive)
        _reconcile(world, out)
        polls = 0
        while polls < 3:  # the 5-minute vacation poll under faults, until presence is right
            polls += 1
            world.advance(timedelta(minutes=5))
            _scheduler(world, ("poll_vacations",))
            world.settle()
            if not checks.presence_right(world, work.model)[0]:
                break
        out.figures["vacation_polls_at_the_end"] = polls
        requests = world.control.requests()["countsByOperationStatus"]
        pushes = world.control.pushes()
        world.control.clear_faults()
        truth = {p.email: checks.truth_items(world, p.email) for p in checks.principals(world)}
        out.failures["store equals the emulator"] = checks.store_equals_truth(world, truth)
        blocks = checks.join_blocks(world, truth)
        out.failures["one join block per keyworded event"], keyworded, inherited = blocks
        out.failures["no user text lost"], texts = checks.user_text(world, work.model, truth)
        out.failures["presence"], away = checks.presence_right(world, work.model)
        out.figures["presence_by_state"] = dict(soak_status.status_right(world, truth, work.model.vacation)[1])
        out.failures["nothing outside the window"], stored_docs = checks.nothing_outside_window(world)
        phase = world.clock.now()
        expected = checks.expected_buttons(world, phase)
        runs = _dispatch_through(world, expected, random.Random(plan.seed + 2))
        buttons = world.tapped(JOIN_BUTTONS)
        out.failures["each join button once"], joins = checks.join_buttons(world, expected, buttons, phase)
        room_phase = soak_rooms.run_rooms(world, random.Random(plan.seed + 3), soak_rooms.meetings_for(plan.ops))
        out.failures["each no-show room released once"], room_figures = soak_rooms.check_rooms(world, room_phase)
        dead_letters = world.dead_letters
        world.close()
        out.failures["no plaintext in store or logs"], values = checks.no_plaintext(
            world.data_dir, capture.lines + world.log_lines(), work.model.sensitive
        )
        out.figures.update(
            ops=dict(work.model.ops),
            workload_calls_failed_after_retries=dict(work.model.failed_calls),
            restarts=world.restarts,
            crashes=world.crashes,
            pushes_refused_while_down=world.push.refused,
            pushes=len(pushes),
            pushes_dropped=sum(1 for p in pushes if p.get("error") == "dropped"),
            pushes_duplicated=sum(1 for p in pushes if p.get("duplicate")),
            google_calls={op: dict(s) for op, s in sorted(requests.items())},
            bus_published=dict(sorted(world.published.items())),
            dead_letters=dead_letters,
            stored_meetings=stored_docs,
            keyworded_organiser_events=keyworded,
            series_exceptions_left_to_googles_propagation=inherited,
            descriptions_checked=texts,
            users_out_of_office=away,
            join_buttons_due=len(expected),
            join_buttons_recorded=joins,
            dispatch_runs=runs,
            sensitive_values_scanned=values,
            log_lines=len(capture.lines) + len(world.log_lines()),
            seconds=round(time.monotonic() - started, 1),
            **room_figures,
        )
    finally:
        logging.getLogger().removeHandler(capture)
        logging.getLogger().setLevel(root_level)
        world.close()
    return out


def _capture_logs() -> LogCapture:
    handler = LogCapture()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def report(plan: Plan, out: Outcome) -> str:
    """The figures and the assertions as Markdown."""
    lines = [f"## Soak ({plan.users} users, {plan.ops:,} operations, seed {plan.seed})\n"]
    lines += [f"- {name}: {value}" for name, value in out.figures.items()]
    lines.append("\n| assertion | result |\n|---|---|")
    for name, failures in out.failures.items():
        lines.append(f"| {name} | {'ok' if not failures else 'FAILED: ' + '; '.join(failures[:4])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the soak; exit status 1 when an assertion failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--ops", type=int, default=None)
    parser.add_argument("--users", type=int, default=None)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    plan = Plan(
        users=args.users or plan.users,
        ops=args.ops or plan.ops,
        restarts=plan.restarts,
        crashes=plan.crashes,
        seed=plan.seed if args.seed is None else args.seed,
        horizon_days=plan.horizon_days,
        budget_seconds=plan.budget_seconds,
    )
    with tempfile.TemporaryDirectory(prefix="hybridcal-soak-") as tmp:
        out = run(plan, Path(tmp))
    print(report(plan, out), flush=True)
    return 1 if any(out.failures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
