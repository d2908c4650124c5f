"""Identity port: verifies a signed ID token and gives its claims (the Google adapter checks Google's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class IdentityVerifier(Protocol):
    """Verifies ID tokens for one audience and issuer."""

    @property
    def audience(self) -> str:
        """The client id tokens must be issued for."""
        ...

    def claims(self, token: str) -> Mapping[str, Any]:
        """The claims of a token signed by the issuer for the audience and valid now; Unauthenticated otherwise."""
        ...

    def verify(self, token: str) -> Mapping[str, Any]:
        """The claims of a person's ID token (verified email, a Workspace ``hd``); Unauthenticated otherwise."""
        ...
