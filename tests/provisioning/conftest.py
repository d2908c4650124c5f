"""Fixtures for provisioning tests: a whole deployment with the emulator, and helpers to read principals."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result
from werkzeug.test import Client, TestResponse

from shared.adapters.google.http import RetryPolicy
from shared.cli import app
from shared.config import GOOGLE_SCOPES
from shared.domain.principals import CredentialRef, Org, Principal
from shared.runtime.server import RuntimeServer
from tests.support.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The emulator and the service, wired; Google calls are tried once, so faults reach the bus's retries."""
    w = make_world(tmp_path)
    assert w.app.google is not None
    w.app.google.http.policy = RetryPolicy(max_attempts=1)
    try:
        yield w
    finally:
        w.settle()
        w.close()


def principal(world: World, email: str, org_id: str | None = None) -> Principal:
    """The stored principal with this email (it must exist)."""
    found = world.app.stores.principals.find_principal(org_id or world.org.id, email)
    assert found is not None, email
    return found


OTHER_DOMAIN, ZED = "other.org", "zed@other.org"


def add_other_org(world: World) -> Org:
    """A second emulated domain (other.org, user Zed) and its org in the same deployment."""
    world.control.create_domain(OTHER_DOMAIN, users=[{"email": ZED, "name": "Zed", "timeZone": "UTC"}])
    key = world.control.create_service_account(OTHER_DOMAIN, list(GOOGLE_SCOPES))
    org = Org(id="other-org", domain=OTHER_DOMAIN, credential=CredentialRef("stored", "", key["client_id"]))
    return world.app.provisioning.create_org(org, service_account_key=json.dumps(key))


def admin(world: World) -> AdminHttp:
    """An admin-API client over the world's local runtime (with the admin token)."""
    return AdminHttp(Client(world.runtime))


class AdminHttp:
    """Calls /admin/v1 on the local runtime in process."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __call__(self, method: str, path: str, body: Any = None) -> TestResponse:
        """One request; ``path`` is below /admin/v1."""
        headers = {"Authorization": "Bearer admin"}
        return self._client.open(f"/admin/v1{path}", method=method, json=body, headers=headers)


@dataclass
class Cli:
    """Runs ``hybrid-calendar`` against the server of a world."""

    world: World
    url: str
    runner: CliRunner

    def __call__(self, *args: str, columns: int | None = None, stdin: str | None = None) -> Result:
        """Invoke the CLI with the server's URL and the admin token appended (at ``columns`` wide)."""
        env = {"COLUMNS": str(columns)} if columns else None
        return self.runner.invoke(app, [*args, "--url", self.url, "--token", "admin"], env=env, input=stdin)

    def json(self, *args: str) -> Any:
        """Invoke with --json; the command must succeed and print parseable JSON."""
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """A world served over HTTP on a free port."""
    world = make_world(tmp_path)
    assert world.app.google is not None
    world.app.google.http.policy = RetryPolicy(max_attempts=1)
    server = RuntimeServer(world.runtime, "127.0.0.1", 0).start()
    access_log = logging.getLogger("werkzeug")
    level = access_log.level
    access_log.setLevel(logging.WARNING)  # the server's access lines would go to a CliRunner stream
    try:
        yield Cli(world, server.url, CliRunner())
    finally:
        world.settle()
        server.stop()
        access_log.setLevel(level)
        world.emulator_state.close()
        world.control.close()
