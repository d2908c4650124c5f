"""WAL checkpoints off the request path: one background thread per SQLite pool runs PASSIVE checkpoints.

Request connections run with ``wal_autocheckpoint=0``, so no commit ever pays for copying the WAL
into the database file. Instead the pool tells this checkpointer about every commit; its daemon
thread (started on the first commit, stopped when the pool closes) wakes after ``every`` commits or
``interval`` seconds, whichever comes first, and runs one PASSIVE checkpoint when anything was
committed since the last. PASSIVE never waits on readers or writers; a writer that starts after a
complete pass restarts the WAL from its beginning, so the file stays small. The explicit TRUNCATE
checkpoint of a scrub (after a crypto-shred) takes the same lock, so the two never race.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

from shared.errors import Unavailable
from shared.logs import get_logger

log = get_logger(__name__)

#: What ``PRAGMA wal_checkpoint`` answers: (busy, frames in the WAL, frames checkpointed).
CheckpointResult = tuple[int, int, int]


class WalCheckpointer:
    """Runs PASSIVE checkpoints on a daemon thread after commits; ``lock`` serialises every checkpoint."""

    def __init__(self, run: Callable[[], CheckpointResult], *, every: int = 256, interval: float = 0.5) -> None:
        self._run = run
        self._every = every
        self._interval = interval
        self.lock = threading.Lock()
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending = 0
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last: CheckpointResult | None = None
        self.last_thread: int | None = None

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def committed(self) -> None:
        """Note one commit; start the thread on the first, wake it once ``every`` commits are pending."""
        with self._cond:
            if self._stop.is_set():
                return
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="sqlite-wal-checkpoint", daemon=True)
                self._thread.start()
            if self._pending >= self._every:
                self._wake.set()

    def wait_passes(self, passes: int, timeout: float) -> bool:
        """Block until at least ``passes`` background checkpoints have run; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self.passes >= passes, timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            with self._cond:
                pending, self._pending = self._pending, 0
            if self._stop.is_set() or not pending:
                continue
            try:
                with self.lock:
                    result = self._run()
            except (sqlite3.Error, Unavailable) as exc:
                log.warning("background WAL checkpoint failed: %s", type(exc).__name__)
                continue
            with self._cond:
                self.passes += 1
                self.last = result
                self.last_thread = threading.get_ident()
                self._cond.notify_all()

    def stop(self) -> None:
        """Stop the thread and wait for a pass in progress to finish."""
        with self._cond:
            self._stop.set()
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
