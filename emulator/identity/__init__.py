"""Identity: OAuth2 token grants (``/token``), the OIDC issuer, IAM Credentials ID tokens, and
service accounts with domain-wide delegation. Every Google surface needs it, so it is always on."""

from __future__ import annotations
