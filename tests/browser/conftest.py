"""Fixtures for browser tests: Debian's Chromium driven by Playwright (never a downloaded browser).

Under ``CI=true`` a missing /usr/bin/chromium fails the tests; otherwise they are skipped. Every
page starts with its clock at ``T0``, fails its test on a console error or an uncaught
exception (unless the test allows that message), and leaves a screenshot of how it ended in
``tests/browser/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from tests.app.conftest import AppWorld, build_app_world
from tests.conftest import IN_CI
from tests.support.instant import T0
from tests.support.wait import wait_until

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    if not CHROMIUM.exists():
        message = "Chromium is required: apt-get install -y chromium chromium-driver"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


SHOTS = Path(__file__).resolve().parent / "screenshots"


@dataclass
class Console:
    """What a page printed as errors, and the messages a test expects (substrings)."""

    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def allow(self, text: str) -> None:
        """Expect console errors containing ``text`` (a refused request the test provokes)."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        """Errors no test asked for."""
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


@dataclass
class Shots:
    """Saves screenshots named after the test."""

    test: str
    pages: list[Any] = field(default_factory=list)
    saved: list[Path] = field(default_factory=list)

    def __call__(self, page: Any, name: str, *, full_page: bool = False) -> Path:
        """Save a screenshot of ``page`` as ``<test>-<name>.png``."""
        SHOTS.mkdir(exist_ok=True)
        path = SHOTS / f"{self.test}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.saved.append(path)
        return path


@pytest.fixture
def console() -> Console:
    """The console errors of the test's pages."""
    return Console()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    """``shot(page, "name")`` saves a screenshot under tests/browser/screenshots."""
    return Shots(re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name).strip("_"))


def open_page(browser: Any, console: Console, **options: Any) -> tuple[Any, Any]:
    """A fresh context and page at T0, its console errors and uncaught exceptions recorded."""
    context = browser.new_context(**options)
    context.clock.set_fixed_time(T0)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda exc: console.errors.append(f"uncaught: {exc}"))
    return context, tab


@pytest.fixture
def page(browser: Any, console: Console, shot: Shots) -> Iterator[Any]:
    """A fresh page (own storage) per test, its clock at T0 like the service's and the emulator's."""
    context, tab = open_page(browser, console, viewport={"width": 1280, "height": 800})
    yield tab
    if not tab.is_closed():
        shot(tab, "end", full_page=True)
    context.close()
    assert console.unexpected() == [], "the page logged errors"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[AppWorld, str]]:
    """The app world served over HTTP."""
    aw = build_app_world(tmp_path)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, aw.world.runtime, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield aw, f"http://127.0.0.1:{server.server_port}"
    finally:
        aw.app.broadcaster.close()
        wait_until(lambda: aw.app.broadcaster.active == 0)
        server.shutdown()
        server.server_close()
        aw.world.settle()
        aw.world.close()
