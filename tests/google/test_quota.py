"""The quota guard: per-user token bucket and per-process ceiling, on a manual clock with recorded sleeps."""

from __future__ import annotations

import threading

from shared.adapters.google.quota import QuotaGuard
from shared.clock import ManualClock
from tests.conftest import T0
from tests.google.conftest import ANN, BOB, Env, FakeSleep


def test_user_bucket_holds_under_a_burst() -> None:
    """100 calls at once for one user at 60/min with a burst of 10: 10 pass, 90 wait one second each."""
    clock = ManualClock(T0)
    sleep = FakeSleep(clock)
    guard = QuotaGuard(clock, sleep, per_user_per_minute=60, per_process_per_second=1000, user_burst=10)
    stamps = []
    for _ in range(100):
        guard.acquire(ANN)
        stamps.append(clock.monotonic())
    assert sleep.delays == [1.0] * 90
    assert max(sum(1 for s in stamps if start <= s < start + 60) for start in stamps) <= 10 + 60


def test_default_burst_keeps_any_minute_under_googles_limit() -> None:
    """At the default 300/min a 1,000-call fan-out for one user never puts more than 350 calls in a minute."""
    clock = ManualClock(T0)
    guard = QuotaGuard(clock, FakeSleep(clock), per_user_per_minute=300, per_process_per_second=1000)
    stamps = []
    for _ in range(1000):
        guard.acquire(ANN)
        stamps.append(clock.monotonic())
    assert max(sum(1 for s in stamps if start <= s < start + 60) for start in stamps[::25]) <= 350


def test_users_are_independent_but_the_process_ceiling_binds() -> None:
    """Two users each get their burst; the process ceiling of 5/s spaces every call after the fifth by 0.2 s."""
    clock = ManualClock(T0)
    sleep = FakeSleep(clock)
    guard = QuotaGuard(clock, sleep, per_user_per_minute=600, per_process_per_second=5)
    for _ in range(5):
        guard.acquire(ANN)
    guard.acquire(BOB)
    assert sleep.delays == [0.2]
    alone = QuotaGuard(clock, FakeSleep(clock), per_user_per_minute=6, per_process_per_second=100, user_burst=1)
    assert alone.delay_for(ANN) == 0.0
    assert alone.delay_for(BOB) == 0.0
    assert alone.delay_for(ANN) == 10.0


def test_concurrent_reservations_queue_fairly() -> None:
    """Eight threads reserving 10 calls each at 1/s after a burst of 5 get waits summing as a queue would."""
    clock = ManualClock(T0)
    guard = QuotaGuard(clock, FakeSleep(clock), per_user_per_minute=60, per_process_per_second=1000, user_burst=5)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            wait = guard.delay_for(ANN)
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0] * 5 + [float(n) for n in range(1, 76)]


def test_client_calls_wait_for_the_user_bucket(emu: Env) -> None:
    """Through the client, 8 calls at 60/min with a burst of 3 sleep five times for one second each."""
    stack = emu.clients(settings={"user_quota_per_minute": 60}, user_burst=3)
    cal = stack.calendar(emu.credential, ANN)
    for _ in range(8):
        cal.get_setting("locale")
    assert emu.sleep.delays == [1.0] * 5
    assert stack.quota.waits == 5
    assert emu.control.count("calendar.settings.get") == 8
