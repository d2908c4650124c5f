"""Credentials (key file, JSON text, keyless IAM signing), the token cache and the endpoints from Settings."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.oauth2 import credentials as oauth2_credentials

from shared.adapters.google.auth import PARSED_KEYS, KeylessCredential, ServiceAccountKey
from shared.adapters.google.http import GOOGLE_TOKEN, GoogleEndpoints
from shared.config import Settings
from shared.errors import InvalidInput
from tests.google.conftest import ANN, BOB, Env, assert_counts_agree


def test_token_is_cached_per_subject_and_scopes_and_refreshed_before_expiry(emu: Env) -> None:
    """One token per (subject, scopes) serves many calls; it is refreshed 300 s before its 3599 s lifetime ends."""
    stack = emu.clients()
    ann = stack.calendar(emu.credential, ANN)
    for _ in range(3):
        ann.get_setting("locale")
    stack.gmail(emu.credential, ANN).get_vacation()
    stack.calendar(emu.credential, BOB).get_setting("locale")
    assert stack.counter.count("oauth2.token") == 3
    emu.clock.advance(3298)
    ann.get_setting("locale")
    assert stack.counter.count("oauth2.token") == 3
    emu.clock.advance(1)
    ann.get_setting("locale")
    assert stack.counter.count("oauth2.token", subject=ANN) == 3
    assert_counts_agree(emu, stack)


def test_concurrent_callers_share_one_token_exchange(emu: Env) -> None:
    """Eight threads asking for the same token at once cause exactly one token exchange."""
    stack = emu.clients()
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def take() -> None:
        barrier.wait()
        tokens.append(stack.tokens.token(emu.credential, ANN, ("https://www.googleapis.com/auth/calendar",)))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1 and len(tokens) == 8
    assert stack.counter.count("oauth2.token") == 1


def test_key_from_file_and_from_json_text(emu: Env, tmp_path: Path) -> None:
    """A key file path and the same key as JSON text both authenticate; broken keys raise InvalidInput."""
    path = tmp_path / "key.json"
    path.write_text(json.dumps(emu.key))
    stack = emu.clients()
    for credential in (ServiceAccountKey.from_file(path), ServiceAccountKey.from_json(json.dumps(emu.key))):
        assert credential.client_id == emu.key["client_id"]
        assert stack.calendar(credential, ANN).get_setting("locale") == "de"
    with pytest.raises(InvalidInput):
        ServiceAccountKey.from_json("{not json")
    with pytest.raises(InvalidInput):
        ServiceAccountKey.from_json(json.dumps({"type": "service_account"}))
    with pytest.raises(InvalidInput):
        ServiceAccountKey.from_file(tmp_path / "missing.json")


def test_keyless_signing_through_iam_sign_blob(emu: Env) -> None:
    """KeylessCredential gets its assertion signed by IAM signBlob (a stand-in here) and the emulator accepts it."""
    inner = emu.transport
    assert inner is not None
    private = serialization.load_pem_private_key(emu.key["private_key"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    signed: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "iamcredentials.googleapis.com":
            assert request.headers["Authorization"] == "Bearer runtime-token"
            signed.append(request.url.path)
            payload = base64.b64decode(json.loads(request.content)["payload"])
            signature = private.sign(payload, padding.PKCS1v15(), hashes.SHA256())
            return httpx.Response(200, json={"keyId": "k1", "signedBlob": base64.b64encode(signature).decode()})
        response = inner.handle_request(request)
        response.read()
        return response

    emu.transport = httpx.MockTransport(route)
    stack = emu.clients()
    source = oauth2_credentials.Credentials(token="runtime-token")  # type: ignore[no-untyped-call]
    credential = KeylessCredential(emu.key["client_email"], emu.key["client_id"], source=source)
    assert stack.calendar(credential, ANN).get_setting("timezone") == "Europe/Berlin"
    assert signed == [f"/v1/projects/-/serviceAccounts/{emu.key['client_email']}:signBlob"]
    assert stack.counter.by_operation() == {"calendar.settings.get": 1, "iam.signBlob": 1, "oauth2.token": 1}


def test_endpoints_follow_settings() -> None:
    """HYBRIDCAL_GOOGLE_BASE_URL puts Calendar, Gmail and /token under one base; unset means Google's own."""
    local = GoogleEndpoints.from_settings(Settings(google_base_url="http://127.0.0.1:8086"))
    assert local == GoogleEndpoints(
        "http://127.0.0.1:8086/calendar/v3", "http://127.0.0.1:8086/gmail/v1", "http://127.0.0.1:8086/token"
    )
    assert GoogleEndpoints.from_settings(Settings()).token == GOOGLE_TOKEN


def test_the_same_key_text_is_parsed_once_per_process(emu: Env) -> None:
    """A second from_json of the same key text reuses the parsed key; another key text is parsed anew."""
    text = json.dumps({**emu.key, "comment": uuid.uuid4().hex})  # text no other test parses
    parses, hits = PARSED_KEYS.parses, PARSED_KEYS.hits
    first = ServiceAccountKey.from_json(text)
    second = ServiceAccountKey.from_json(text)
    assert second is first
    assert (PARSED_KEYS.parses, PARSED_KEYS.hits) == (parses + 1, hits + 1)
    other = ServiceAccountKey.from_json(text + " ")
    assert other is not first and PARSED_KEYS.parses == parses + 2
    with pytest.raises(InvalidInput):
        ServiceAccountKey.from_json(text[:-3])
    assert PARSED_KEYS.parses == parses + 2
