"""A keyless credential off Google Cloud: the principal fails with `credentials_unavailable` and a hint that works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.auth.compute_engine import _metadata
from msgspec.structs import replace

from shared.domain.principals import CredentialRef, ErrorReason, PrincipalKind, PrincipalState
from tests.e2e.test_sync_pipeline import ALICE
from tests.provisioning.conftest import admin, principal
from tests.support.world import ROOMS, World


@pytest.fixture
def off_google_cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Application Default Credentials: no key variable, an empty gcloud config, no metadata server."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(_metadata, "_NO_GCE_CHECK", True)  # google-auth's switch: no metadata server here


def test_keyless_off_google_cloud_is_credentials_unavailable(world: World, off_google_cloud: None) -> None:
    """Validation ends in credentials_unavailable (not calendar_not_found) with no Google call; a key fixes it."""
    keyless = CredentialRef("keyless", world.key["client_email"], world.key["client_id"])
    world.app.stores.orgs.put_org(replace(world.org, credential=keyless))
    world.control.clear_requests()
    world.app.provisioning.activate(world.org.id, ALICE, PrincipalKind.PERSON, [])
    world.app.provisioning.activate(world.org.id, ROOMS[0]["email"], PrincipalKind.ROOM, [])
    world.settle()
    for email in (ALICE, ROOMS[0]["email"]):
        failed = principal(world, email)
        assert (failed.state, failed.reason) == (PrincipalState.ERROR, ErrorReason.CREDENTIALS_UNAVAILABLE), email
        assert failed.detail is not None and "Application Default Credentials" in failed.detail
    assert world.control.requests()["total"] == 0
    shown = admin(world)("GET", f"/orgs/example-com/principals/{ALICE}").get_json()
    assert shown["reason"] == "credentials_unavailable" and "--key-file" in shown["hint"]
    fixed = admin(world)("PATCH", "/orgs/example-com", {"service_account_key": json.dumps(world.key)})
    assert fixed.status_code == 200 and fixed.get_json()["credential"]["kind"] == "stored"
    world.app.provisioning.revalidate(world.org.id, ALICE)
    world.settle()
    assert principal(world, ALICE).state is PrincipalState.ACTIVE
