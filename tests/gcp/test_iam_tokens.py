"""The emulator's IAM Credentials ``generateIdToken``: the OIDC tokens Cloud Scheduler and Pub/Sub push carry."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from google.oauth2 import id_token

from emulator.app import create_app
from emulator.client import ControlClient
from shared.adapters.google.transport import HttpxRequest
from tests.support.instant import T0, z

BASE = "http://emulator.test"
ACCOUNT = "hybrid-calendar-push@proj-1.iam.gserviceaccount.com"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A client of an in-process emulator whose clock stands at T0."""
    app = create_app()
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE) as client:
        ControlClient(BASE, transport=httpx.WSGITransport(app=app)).set_clock(time=z(T0), frozen=True)
        yield client


def _token(http: httpx.Client, account: str, **body: object) -> httpx.Response:
    return http.post(f"/v1/projects/-/serviceAccounts/{account}:generateIdToken", json=body)


def test_a_service_account_token_verifies_with_the_issuers_certificates(http: httpx.Client) -> None:
    """The token is RS256-signed by the emulator's issuer for the audience, with the account's email, on its clock."""
    answer = _token(http, ACCOUNT, audience="https://fn.example.test", includeEmail=True)
    assert answer.status_code == 200
    claims = id_token.verify_token(
        answer.json()["token"],
        HttpxRequest(http),
        audience="https://fn.example.test",
        certs_url=f"{BASE}/oauth2/v1/certs",
        clock_skew_in_seconds=10 * 365 * 86400,
    )
    assert (claims["iss"], claims["email"], claims["email_verified"]) == (BASE, ACCOUNT, True)
    assert claims["iat"] == int(T0.timestamp()) and claims["exp"] == claims["iat"] + 3600
    assert claims["sub"].isdigit() and "hd" not in claims


def test_without_include_email_the_token_names_no_email(http: httpx.Client) -> None:
    """``includeEmail`` false leaves email out, as Google does."""
    token = _token(http, ACCOUNT, audience="aud").json()["token"]
    claims = id_token.verify_token(
        token, HttpxRequest(http), audience="aud", certs_url=f"{BASE}/oauth2/v1/certs", clock_skew_in_seconds=10**9
    )
    assert "email" not in claims


@pytest.mark.parametrize(
    ("account", "body"),
    [("alice@example.com", {"audience": "a"}), (ACCOUNT, {}), (ACCOUNT, {"audience": "  "})],
)
def test_a_user_account_or_a_missing_audience_is_400(http: httpx.Client, account: str, body: dict[str, object]) -> None:
    """Only service accounts get tokens, and only for an audience; the error is Google's JSON shape."""
    answer = _token(http, account, **body)
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "invalid"
