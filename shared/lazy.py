"""``lazy``: a member of a frozen record made on first read, once, whichever thread asks first.

The App's services (``shared.wiring``) and the ports made from other ports are ``lazy`` members:
each imports its module and builds its object the first time it is read, with the collector
paused (what an import makes lives as long as the process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from shared.collector import collector_paused

T = TypeVar("T")
_MAKING = threading.RLock()  # one for every App: a service is made once, whichever thread asks first


class lazy(Generic[T]):  # lower case: used as a decorator, like functools.cached_property
    """A service made on first read from its App, then kept in the (frozen) App's ``__dict__`` as
    ``functools.cached_property`` keeps a value, under a lock that making a service's own services re-enters."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self.make = make
        self.name = make.__name__
        self.__doc__ = make.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, app: None, owner: type | None = None) -> lazy[T]: ...

    @overload
    def __get__(self, app: object, owner: type | None = None) -> T: ...

    def __get__(self, app: object | None, owner: type | None = None) -> T | lazy[T]:
        if app is None:
            return self
        kept = app.__dict__
        try:
            return kept[self.name]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with _MAKING:
            if self.name not in kept:
                with collector_paused():  # it imports its modules: what they make lives as long as the App
                    kept[self.name] = self.make(app)
            return kept[self.name]  # type: ignore[no-any-return]
