"""Quota guard: a token bucket per delegated user and one ceiling for the whole process.

Google allows about 600 Calendar requests per minute per user; a fan-out (a sync of every
calendar after an outage, a vacation poll of every user) must not trip it. Each call first
takes one token from its user's bucket and one from the process bucket. Buckets run on the
injected :class:`~shared.clock.Clock` and may go into debt: a caller that finds no token
reserves the next one and sleeps (through the injected ``sleep``) until it is due, so
concurrent callers queue fairly and the arithmetic is exact under a manual clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from shared.ports.clock import Clock


@dataclass(slots=True)
class TokenBucket:
    """``capacity`` tokens refilled at ``rate`` per second; ``level`` may go negative (debt)."""

    rate: float
    capacity: float
    level: float
    stamp: float

    def reserve(self, now: float) -> float:
        """Take one token at monotonic time ``now``; return the seconds to wait for it."""
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        self.level -= 1.0
        return 0.0 if self.level >= 0 else -self.level / self.rate


class QuotaGuard:
    """Rate limits per user (requests/minute, with a burst) and per process (requests/second)."""

    def __init__(
        self,
        clock: Clock,
        sleep: Callable[[float], None],
        *,
        per_user_per_minute: int,
        per_process_per_second: int,
        user_burst: int | None = None,
        process_burst: int | None = None,
        max_users: int = 50_000,
    ) -> None:
        if per_user_per_minute <= 0 or per_process_per_second <= 0:
            raise ValueError("quotas must be positive")
        self._clock = clock
        self._sleep = sleep
        self._user_rate = per_user_per_minute / 60.0
        # A burst of a sixth of the minute's quota: any 60 s window then stays under 7/6 of it.
        self._user_burst = float(user_burst if user_burst is not None else max(1, per_user_per_minute // 6))
        self._lock = threading.Lock()
        self._users: dict[str, TokenBucket] = {}
        self._max_users = max_users
        burst = float(process_burst if process_burst is not None else per_process_per_second)
        self._process = TokenBucket(float(per_process_per_second), burst, burst, clock.monotonic())
        self.waits = 0
        self.waited_seconds = 0.0

    def _user(self, subject: str, now: float) -> TokenBucket:
        bucket = self._users.get(subject)
        if bucket is None:
            if len(self._users) >= self._max_users:
                self._drop_full(now)
            bucket = TokenBucket(self._user_rate, self._user_burst, self._user_burst, now)
            self._users[subject] = bucket
        return bucket

    def _drop_full(self, now: float) -> None:
        for key, bucket in list(self._users.items()):
            if bucket.level + (now - bucket.stamp) * bucket.rate >= bucket.capacity:
                del self._users[key]

    def delay_for(self, subject: str) -> float:
        """Reserve one call for ``subject`` and return how long to wait before making it."""
        with self._lock:
            now = self._clock.monotonic()
            wait = max(self._user(subject.lower(), now).reserve(now), self._process.reserve(now))
            if wait > 0:
                self.waits += 1
                self.waited_seconds += wait
            return wait

    def acquire(self, subject: str) -> float:
        """Reserve one call for ``subject`` and sleep until it is due; return the seconds slept."""
        wait = self.delay_for(subject)
        if wait > 0:
            self._sleep(wait)
        return wait
