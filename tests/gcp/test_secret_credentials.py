"""`secret` credentials end to end in one process: the org's key is read from Secret Manager for validation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.topics import USER_PROVISIONING
from tests.cloud.harness import gcp_clients
from tests.support.pump import DOMAIN, USERS, PumpWorld, make_pump_world

ALICE = USERS[0]["email"]
PROJECT = "pump-secrets"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PumpWorld]:
    w = make_pump_world(tmp_path, grpc=True)
    yield w
    w.close()


def _org(world: PumpWorld, reference: str) -> str:
    credential = {"kind": "secret", "reference": reference, "client_id": world.key["client_id"]}
    answer = world.functions.call(
        "admin_api", "POST", "/admin/v1/orgs", json={"domain": DOMAIN, "credential": credential}
    )
    assert answer.status_code == 201, answer.get_json()
    org_id = str(answer.get_json()["id"])
    person = {"email": ALICE, "kind": "person"}
    assert (
        world.functions.call("admin_api", "POST", f"/admin/v1/orgs/{org_id}/principals", json=person).status_code == 202
    )
    return org_id


def _principal(world: PumpWorld, org_id: str) -> dict[str, object]:
    answer = world.functions.call("admin_api", "GET", f"/admin/v1/orgs/{org_id}/principals/{ALICE}")
    assert answer.status_code == 200
    body: dict[str, object] = answer.get_json()
    return body


def test_a_secret_credential_validates_and_activates(world: PumpWorld) -> None:
    """The key file stored as a secret version activates the user; the key is read once for the org."""
    version = gcp_clients.put_secret(world.apis.endpoint, PROJECT, "delegation-key", json.dumps(world.key).encode())
    org_id = _org(world, version.rsplit("/", 1)[0] + "/latest")
    world.settle()
    principal = _principal(world, org_id)
    assert (principal["state"], principal["reason"]) == ("active", None)
    assert world.apis.secrets.calls["AccessSecretVersion"] == 1


def test_a_missing_secret_version_is_secret_unavailable(world: PumpWorld) -> None:
    """A version that does not exist ends validation in error/secret_unavailable with a hint, never validating."""
    org_id = _org(world, f"projects/{PROJECT}/secrets/absent/versions/2")
    world.settle()
    principal = _principal(world, org_id)
    assert (principal["state"], principal["reason"]) == ("error", "secret_unavailable")
    assert "secretAccessor" in str(principal["hint"])
    assert world.bus.queued(USER_PROVISIONING) == 0
