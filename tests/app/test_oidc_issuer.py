"""The emulator's OIDC issuer: discovery, keys in both formats, ID tokens google-auth accepts."""

from __future__ import annotations

import time

from google.auth import jwt
from google.oauth2 import id_token

from emulator import testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.state import EmulatorState
from shared.adapters.google.transport import HttpxRequest
from tests.support.instant import T0, z


def test_discovery_keys_and_tokens() -> None:
    """Tokens carry iss, aud, sub, email, hd and emulator-clock times, and verify against both key formats."""
    state = EmulatorState()
    app = create_app(state)
    control = ControlClient(transport=testing.transport(app))
    control.create_domain("example.com", users=[{"email": "ann@example.com", "name": "Ann"}])
    control.set_clock(time=z(T0), frozen=True)
    with testing.client(app) as http:
        discovery = http.get("/.well-known/openid-configuration").json()
        assert discovery["issuer"] == testing.BASE_URL
        assert discovery["jwks_uri"] == f"{testing.BASE_URL}/oauth2/v3/certs"
        [jwk] = http.get("/oauth2/v3/certs").json()["keys"]
        pem = http.get("/oauth2/v1/certs").json()
        assert list(pem) == [jwk["kid"]] and jwk["alg"] == "RS256"
        answer = http.post("/emulator/v1/id-tokens", json={"email": "ANN@example.com", "audience": "app"}).json()
        claims = id_token.verify_token(
            answer["idToken"],
            HttpxRequest(http),
            audience="app",
            certs_url=f"{testing.BASE_URL}/oauth2/v1/certs",
            clock_skew_in_seconds=int(abs(time.time() - T0.timestamp())) + 60,  # google-auth reads the real clock
        )
        assert claims["email"] == "ann@example.com" and claims["hd"] == "example.com"
        assert claims["iss"] == testing.BASE_URL and claims["email_verified"] is True
        assert claims["iat"] == int(T0.timestamp()) and claims["exp"] == claims["iat"] + 3600
        assert jwt.decode_header(answer["idToken"])["kid"] == jwk["kid"]
        bad = [
            http.post("/emulator/v1/id-tokens", json=b)
            for b in (
                {"email": "ghost@example.com", "audience": "app"},
                {"email": "ann@example.com"},
                {"email": "ann@example.com", "audience": "app", "lifetimeSeconds": 0},
            )
        ]
        assert [r.status_code for r in bad] == [404, 400, 400]
    state.close()
    assert state.unexpected_errors == []
