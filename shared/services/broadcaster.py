"""The process-wide wake-up the meeting streams wait on.

:class:`Broadcaster` only wakes streams early (a join button or a presence change was published in
this process); they read the store. It imports nothing else, so an App that makes it at build (its
bus delivers in process) loads none of the join-button rules.
"""

from __future__ import annotations

import threading


class Broadcaster:
    """Wakes waiting streams when something may have changed (process-wide, best effort)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._active = 0
        self.closed = False

    @property
    def active(self) -> int:
        """How many streams are open."""
        with self._cond:
            return self._active

    def opened(self, delta: int) -> None:
        """Count a stream opening (+1) or ending (-1)."""
        with self._cond:
            self._active += delta
            self._cond.notify_all()

    def close(self) -> None:
        """End every stream (the process is shutting down)."""
        with self._cond:
            self.closed = True
            self._generation += 1
            self._cond.notify_all()

    @property
    def generation(self) -> int:
        """How many wake-ups happened so far."""
        with self._cond:
            return self._generation

    def notify(self, *_: object) -> None:
        """Wake every waiting stream."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until the generation passes ``seen`` or ``timeout`` seconds pass; return it."""
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout=timeout)
            return self._generation
