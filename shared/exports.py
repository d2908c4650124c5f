"""A package's names, each imported from its own module on first use (PEP 562).

A package that gathers the names of its modules (``from shared.ports import Bus``) would import
every one of them with itself; one that lists where each name lives loads only the module a
caller reads from, once. Type checkers read the package's ``TYPE_CHECKING`` imports instead.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose name ``n`` lives in module ``where[n]``."""

    def __getattr__(name: str) -> Any:
        try:
            module = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        vars(sys.modules[package])[name] = value  # read once: the next read finds it in the package
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
