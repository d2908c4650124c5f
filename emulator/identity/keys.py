"""Service-account keys in Google's key-file format, generated with ``cryptography``."""

from __future__ import annotations

import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.model import ServiceAccount

PROJECT_ID = "hybrid-calendar-emulator"


def new_service_account(
    domain: str, scopes: list[str], base_url: str, project_id: str = PROJECT_ID
) -> tuple[ServiceAccount, dict[str, Any]]:
    """Create a service account authorised for ``scopes`` in ``domain`` and its key file."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    client_id = str(100000000000000000000 + secrets.randbelow(899999999999999999999))
    name = f"hybrid-calendar-{secrets.token_hex(3)}"
    client_email = f"{name}@{project_id}.iam.gserviceaccount.com"
    key_id = secrets.token_hex(20)
    account = ServiceAccount(
        client_id=client_id,
        client_email=client_email,
        private_key_id=key_id,
        project_id=project_id,
        domain=domain,
        public_key=private_key.public_key(),
        scopes=set(scopes),
    )
    base = base_url.rstrip("/")
    key_file = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": client_email,
        "client_id": client_id,
        "auth_uri": f"{base}/o/oauth2/auth",
        "token_uri": f"{base}/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": (
            f"https://www.googleapis.com/robot/v1/metadata/x509/{client_email.replace('@', '%40')}"
        ),
        "universe_domain": "googleapis.com",
    }
    return account, key_file
