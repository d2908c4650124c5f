"""Fixtures for browser tests: Debian's Chromium driven by Playwright (never a downloaded browser).

Under ``CI=true`` a missing /usr/bin/chromium fails the tests; otherwise they are skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own storage) per test, its clock at T0 like the service's and the emulator's."""
    context = browser.new_context()
    context.clock.set_fixed_time(T0)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


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
