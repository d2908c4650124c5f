"""Dead-letter repository port: the messages the bus gave up on, kept where admins can see them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec


class DeadLetter(msgspec.Struct, frozen=True):
    """One dead-lettered message: its source topic, the principals it was about and the last error."""

    topic: str
    principals: tuple[str, ...]
    at: datetime
    expire_at: datetime
    error: str
    org_id: str | None = None
    """The org it was about (its error is sealed under that org's key); None when it named no known org."""


class DeadLetterRepository(Protocol):
    """Dead letters per org (errors sealed) and deployment-wide (about no known org)."""

    def record_dead_letter(self, letter_id: str, letter: DeadLetter, raw_org: str | None) -> None:
        """Keep one dead letter (idempotent per id); ``raw_org`` is the redacted org text of an unknown org."""
        ...

    def dead_letters(self, org_id: str | None = None) -> list[DeadLetter]:
        """Every dead letter of one org, or (None) of the whole deployment."""
        ...

    def dead_letters_about(self, org_id: str, principal_id: str) -> list[DeadLetter]:
        """The dead letters of one org that were about one principal."""
        ...
