"""Cloud Functions source root: every entry point, by name.

Cloud Functions loads ``main.py`` and looks up the configured entry point here. Each entry point
is imported on first access (PEP 562), so a function's instance loads only its own module.
"""

from __future__ import annotations

import functools
import gc
import importlib
from collections.abc import Callable
from typing import Any

import functions_framework
from werkzeug.exceptions import HTTPException

_ENTRY_POINTS = (
    "admin_api",
    "calendar_webhook",
    "check_vacation",
    "dispatch_join_buttons",
    "maintain_channels",
    "meetings_api",
    "poll_vacations",
    "provision_user",
    "release_rooms",
    "rewrite_join_details",
    "sync_calendar",
)

__all__ = list(_ENTRY_POINTS)


def _http_error(exc: HTTPException) -> Any:
    """Errors Flask meets before an entry point runs (a path it cannot route) answer JSON inside the APIs."""
    from shared.api.http import http_error

    return http_error(exc)


# functions-framework runs this module inside the app it created; its error handler applies to that app.
functions_framework.errorhandler(HTTPException)(_http_error)


_frozen = False


def _freeze_once() -> None:
    """Move every object alive after the first answer (modules, the built App) out of the collector's sight."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def _freezing(entry: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(entry)
    def call(request: Any) -> Any:
        try:
            return entry(request)
        finally:
            _freeze_once()

    return call


def __getattr__(name: str) -> Any:
    """Import ``functions.<name>`` and return its entry point (``gc.freeze()`` once the App is built).

    The collector is off while the module imports: an import makes objects that live as long as the
    process (its classes, the API's routes and models), and the collections it would trigger on the
    way (a gen-2 one walks every object alive) find nothing to free.
    """
    if name in _ENTRY_POINTS:
        from shared.collector import collector_paused

        with collector_paused():
            module = importlib.import_module(f"functions.{name}")
        return _freezing(getattr(module, name))
    raise AttributeError(f"module 'main' has no attribute {name!r}")
