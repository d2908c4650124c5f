"""Driving the pages in tests: sign in, wait on the events the pages emit, move every clock together.

The pages count what they do on ``<body data-NAME>`` and dispatch ``hc:NAME`` events (``render``,
``ready``, ``notices``, ``streams``, ``scheduled``, ``availability``, ``delegates``, ``notified``,
``presence``, ``state``, ``tick``, ``failed``); tests wait on those counters, never on a fixed sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.app.conftest import T0, AppWorld


def count(page: Any, name: str) -> int:
    """How often the page emitted ``name`` so far."""
    return int(page.evaluate("(k) => Number(document.body.dataset[k] || 0)", name))


def wait_for(page: Any, name: str, above: int = 0, timeout: float = 10_000) -> int:
    """Wait until the page has emitted ``name`` more than ``above`` times; return the count."""
    page.wait_for_function("([k, n]) => Number(document.body.dataset[k] || 0) > n", arg=[name, above], timeout=timeout)
    return count(page, name)


def after(page: Any, name: str, action: Callable[[], object], timeout: float = 10_000) -> int:
    """Run ``action`` and wait for the next ``name`` the page emits after it."""
    before = count(page, name)
    action()
    return wait_for(page, name, before, timeout)


def sign_in(page: Any, url: str, email: str) -> None:
    """Open /app, choose ``email`` on the emulator's sign-in list and wait until the page is ready."""
    page.goto(f"{url}/app")
    wait_for(page, "signin")
    after(page, "ready", lambda: page.click(f"button[data-email='{email}']"))


def device_token(aw: AppWorld, room: str, index: int = 0) -> str:
    """A device token of ``room``."""
    return aw.device(room, index)[1]["Authorization"].removeprefix("Device ")


def open_device(page: Any, url: str, token: str) -> None:
    """Open the room display and wait until it is ready (rendered, ticking, listening)."""
    page.goto(f"{url}/device?token={token}")
    wait_for(page, "ready")


def move_clocks(aw: AppWorld, minutes: float) -> None:
    """Move the service clock and the emulator clock together to ``T0 + minutes``."""
    when = T0 + timedelta(minutes=minutes)
    aw.world.clock.set(when)
    aw.world.control.set_clock(time=when.isoformat().replace("+00:00", "Z"), frozen=True)


def card(page: Any, event_id: str) -> Any:
    """The agenda card of a meeting."""
    return page.locator(f"article.meeting[data-id='{event_id}']")
