"""Secret Manager: the emulator's API (gRPC and REST) and the adapter the `secret` credentials read through."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from emulator.app import create_app
from emulator.grpc_apis import GrpcApis
from emulator.kms import KmsState
from emulator.secretmanager import SecretState
from shared.adapters.google.secrets import SecretManagerSecrets
from shared.errors import Forbidden, InvalidInput, NotFound, Unavailable
from tests.cloud.harness import gcp_clients

PROJECT = "secret-test"


@pytest.fixture
def apis() -> Iterator[GrpcApis]:
    """Cloud KMS and Secret Manager over gRPC on a free port."""
    server = GrpcApis(KmsState(), SecretState())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def secrets(apis: GrpcApis) -> SecretManagerSecrets:
    """The adapter on the emulator, without sleeping between retries."""
    return SecretManagerSecrets(endpoint=apis.endpoint, sleep=lambda _: None)


def test_versions_are_read_by_number_and_as_latest(apis: GrpcApis, secrets: SecretManagerSecrets) -> None:
    """Each version reads back by its number; latest is the newest enabled one."""
    first = gcp_clients.put_secret(apis.endpoint, PROJECT, "key", b'{"v": 1}')
    second = gcp_clients.put_secret(apis.endpoint, PROJECT, "key", b'{"v": 2}')
    assert (first, second) == (
        f"projects/{PROJECT}/secrets/key/versions/1",
        f"projects/{PROJECT}/secrets/key/versions/2",
    )
    assert secrets.access(first) == '{"v": 1}'
    assert secrets.access(f"projects/{PROJECT}/secrets/key/versions/latest") == '{"v": 2}'
    assert apis.secrets.calls["AccessSecretVersion"] == 2


def test_disabled_destroyed_and_missing_versions_are_permanent(apis: GrpcApis, secrets: SecretManagerSecrets) -> None:
    """A disabled, destroyed or unknown version is NotFound; latest skips a disabled newest version."""
    from google.cloud import secretmanager_v1

    gcp_clients.put_secret(apis.endpoint, PROJECT, "rot", b"old")
    newest = gcp_clients.put_secret(apis.endpoint, PROJECT, "rot", b"new")
    client = gcp_clients._secrets(apis.endpoint)
    client.disable_secret_version(request=secretmanager_v1.DisableSecretVersionRequest(name=newest))
    assert secrets.access(f"projects/{PROJECT}/secrets/rot/versions/latest") == "old"
    with pytest.raises(NotFound, match="disabled or destroyed"):
        secrets.access(newest)
    client.destroy_secret_version(request={"name": f"projects/{PROJECT}/secrets/rot/versions/1"})
    with pytest.raises(NotFound):
        secrets.access(f"projects/{PROJECT}/secrets/rot/versions/latest")
    with pytest.raises(NotFound, match="does not exist"):
        secrets.access(f"projects/{PROJECT}/secrets/never/versions/1")


def test_unavailable_and_corrupted_answers_are_retried_then_give_up(
    apis: GrpcApis, secrets: SecretManagerSecrets
) -> None:
    """Two UNAVAILABLE answers and a spoiled checksum are retried; three failures in a row are Unavailable."""
    name = gcp_clients.put_secret(apis.endpoint, PROJECT, "flaky", b"payload")
    apis.secrets.inject(unavailable=1, corrupt_crc32c=1)
    assert secrets.access(name) == "payload"
    assert secrets.access_calls == 3
    apis.secrets.inject(unavailable=3)
    with pytest.raises(Unavailable, match="3 times"):
        secrets.access(name)


@pytest.mark.parametrize(
    "name",
    [
        "projects/p/secrets/s",
        "projects/p/secrets/s/versions/0",
        "secrets/s/versions/1",
        "projects/p/secrets/a b/versions/1",
    ],
)
def test_a_malformed_version_name_is_invalid_input(secrets: SecretManagerSecrets, name: str) -> None:
    """Only projects/P/secrets/S/versions/(N|latest) is read; anything else is refused before a call."""
    with pytest.raises(InvalidInput):
        secrets.access(name)


def test_a_refused_permission_is_forbidden() -> None:
    """PERMISSION_DENIED from Secret Manager maps to Forbidden (the function lacks secretAccessor)."""
    from google.api_core import exceptions

    class Refusing:
        def access_secret_version(self, **_: object) -> None:
            raise exceptions.PermissionDenied("denied")

    with pytest.raises(Forbidden):
        SecretManagerSecrets(client=Refusing()).access("projects/p/secrets/s/versions/1")


def test_the_rest_face_shares_the_state_with_grpc(apis: GrpcApis) -> None:
    """A secret created and versioned over REST is readable over gRPC, and the reverse."""
    app = create_app()
    state: SecretState = app.extensions["secrets"]
    server = GrpcApis(KmsState(), state)
    server.start()
    try:
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://emulator.test") as http:
            assert http.post(f"/v1/projects/{PROJECT}/secrets", params={"secretId": "rest"}).status_code == 200
            data = base64.b64encode(b"over rest").decode()
            added = http.post(f"/v1/projects/{PROJECT}/secrets/rest:addVersion", json={"payload": {"data": data}})
            assert added.json()["name"] == f"projects/{PROJECT}/secrets/rest/versions/1"
            assert gcp_clients.access_secret(server.endpoint, added.json()["name"]) == b"over rest"
            answer = http.get(f"/v1/projects/{PROJECT}/secrets/rest/versions/latest:access").json()
            assert base64.b64decode(answer["payload"]["data"]) == b"over rest" and answer["payload"]["dataCrc32c"]
            assert http.get(f"/v1/projects/{PROJECT}/secrets/none/versions/1:access").status_code == 404
            duplicate = http.post(f"/v1/projects/{PROJECT}/secrets", params={"secretId": "rest"})
            assert duplicate.status_code == 409 and duplicate.json()["error"]["status"] == "ALREADY_EXISTS"
    finally:
        server.stop()
