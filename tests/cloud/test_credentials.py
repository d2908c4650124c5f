"""`secret` credentials: the org's key lives in Secret Manager and the functions read it from there."""

from __future__ import annotations

import json

from shared.domain.joinblock import BLOCK_BEGIN
from tests.cloud.harness import gcp_clients
from tests.cloud.support import Cloud


def _secret_org(cloud: Cloud, version: str) -> None:
    credential = {"kind": "secret", "reference": version, "client_id": cloud.key["client_id"]}
    cloud.create_org(service_account_key=None, credential=credential)


def test_an_org_with_a_secret_credential_activates_and_gets_join_details(cloud: Cloud) -> None:
    """The key file is a Secret Manager version: provision_user validates with it, the rewrite patches with it."""
    topology = cloud.topology
    secret = topology.view.resolve(("google_secret_manager_secret", "delegation_key", 0, "secret_id"))
    gcp_clients.put_secret(topology.secret_endpoint, topology.project, str(secret), json.dumps(cloud.key).encode())
    _secret_org(cloud, f"projects/{topology.project}/secrets/{secret}/versions/latest")
    cloud.active(cloud.alice)
    created = cloud.create_event(cloud.alice, "Mit Schlüssel aus Secret Manager", 90, location="@webex")

    def written() -> bool:
        return BLOCK_BEGIN in (cloud.event(cloud.alice, created["id"]).get("description") or "")

    cloud.wait(written, "join details written with the secret's key")
    assert json.dumps(cloud.key["private_key"])[5:40] not in json.dumps(cloud.admin("GET", "/admin/v1/orgs").json())


def test_a_missing_secret_version_puts_the_user_in_error_with_a_hint(cloud: Cloud) -> None:
    """A reference to a version that does not exist ends validation in error/secret_unavailable, not validating."""
    _secret_org(cloud, f"projects/{cloud.topology.project}/secrets/nowhere/versions/3")
    cloud.activate(cloud.alice)
    principal = cloud.wait_state(cloud.alice, "error", "active")
    assert (principal["state"], principal["reason"]) == ("error", "secret_unavailable")
    assert "secretAccessor" in principal["hint"] and "nowhere/versions/3" in principal["detail"]
    revalidated = cloud.admin("POST", f"/admin/v1/orgs/{cloud.org_id}/principals/{cloud.alice}:revalidate")
    assert revalidated.status_code == 202
