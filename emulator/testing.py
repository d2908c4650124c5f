"""Helpers for mounting the emulator in-process: an ``httpx`` transport over its WSGI app."""

from __future__ import annotations

from typing import Any

import httpx
from flask import Flask

BASE_URL = "http://emulator.test"


def transport(app: Flask | Any) -> httpx.WSGITransport:
    """Return an ``httpx.WSGITransport`` that calls ``app`` without sockets."""
    return httpx.WSGITransport(app=app)


def client(app: Flask, **kwargs: Any) -> httpx.Client:
    """Return an ``httpx.Client`` bound to ``app`` at :data:`BASE_URL`."""
    return httpx.Client(transport=transport(app), base_url=BASE_URL, **kwargs)


def access_token(http: httpx.Client, key: dict[str, Any], subject: str, scopes: list[str]) -> str:
    """Sign a JWT-bearer assertion with ``key`` and exchange it at ``/token`` via ``http``."""
    import time

    from google.auth import crypt, jwt

    signer = crypt.RSASigner.from_service_account_info(key)  # type: ignore[no-untyped-call]
    now = int(time.time())
    assertion = jwt.encode(  # type: ignore[no-untyped-call]
        signer,
        {
            "iss": key["client_email"],
            "sub": subject,
            "scope": " ".join(scopes),
            "aud": "https://oauth2.googleapis.com/token",
            "iat": now,
            "exp": now + 3600,
        },
    )
    response = http.post(
        "/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": assertion.decode() if isinstance(assertion, bytes) else assertion,
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def google_service(
    url: str,
    key: dict[str, Any],
    subject: str,
    scopes: list[str],
    *,
    api: tuple[str, str, str] = ("calendar", "v3", "calendar/v3/"),
    token_uri: str | None = None,
) -> Any:
    """Google's own client (google-api-python-client, google-auth) for one API of the emulator at ``url``.

    ``api`` is (name, version, path of its root under ``url``); ``token_uri`` replaces the key's own.
    """
    from google.oauth2 import service_account
    from googleapiclient.discovery import build

    creds = service_account.Credentials.from_service_account_info(key, scopes=scopes)  # type: ignore[no-untyped-call]
    creds = creds.with_subject(subject)
    if token_uri is not None:
        creds = creds.with_token_uri(token_uri)
    name, version, root = api
    return build(
        name,
        version,
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{url}/{root}"},
    )
