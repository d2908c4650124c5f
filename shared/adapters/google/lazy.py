"""``Lazy``: a value built once, on first use, by whichever thread asks first (the others wait for it)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """Builds its value with ``build()`` the first time :meth:`get` is called, under a lock, and keeps it."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T:
        """The value, built now if nobody has asked before."""
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value

    @property
    def value(self) -> T | None:
        """The value if it was built, else None (never builds)."""
        return self._value
