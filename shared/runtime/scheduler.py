"""The local scheduler: interval jobs in one thread, the stand-in for Cloud Scheduler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from shared.clock import SystemClock
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock

log = get_logger(__name__)


@dataclass(slots=True)
class Job:
    """A named job run every ``interval`` seconds."""

    name: str
    interval: float
    run: Callable[[], object]
    next_due: float = 0.0
    runs: int = 0
    failures: int = 0


class LocalScheduler:
    """Runs interval jobs on a background thread; ``run_due`` runs them synchronously."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._jobs: dict[str, Job] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, name: str, interval: float, run: Callable[[], object], *, first_in: float = 0.0) -> None:
        """Register a job; its first run is ``first_in`` seconds from now."""
        if interval <= 0:
            raise ValueError("a job interval must be positive")
        with self._lock:
            self._jobs[name] = Job(name, interval, run, self._clock.monotonic() + first_in)

    @property
    def jobs(self) -> dict[str, Job]:
        """The registered jobs by name."""
        return dict(self._jobs)

    def run_due(self) -> list[str]:
        """Run every job that is due now; return their names."""
        now = self._clock.monotonic()
        with self._lock:
            due = [job for job in self._jobs.values() if job.next_due <= now]
            for job in due:
                job.next_due = now + job.interval
        for job in due:
            job.runs += 1
            try:
                job.run()
            except Exception:  # a failing job must not stop the others
                job.failures += 1
                log.exception("scheduled job failed", extra=ctx(job=job.name))
        return [job.name for job in due]

    def start(self, tick: float = 0.5) -> None:
        """Run due jobs every ``tick`` seconds on a daemon thread."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(tick):
                self.run_due()

        self._thread = threading.Thread(target=loop, name="local-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
