"""Principals read unopened: what the dispatcher needs of every active calendar each minute.

A head holds a principal's plaintext fields (kind, lead override); the sealed ones (the email)
are opened only for the calendars a run has something to send for (``PrincipalRepository``
extends ``PrincipalHeads``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from shared.domain.principals import Principal, PrincipalKind


class Calendar(Protocol):
    """What a calendar's lead time depends on: a principal, or its unopened head."""

    @property
    def kind(self) -> PrincipalKind:
        """A person or a room."""
        ...

    @property
    def join_lead_override(self) -> timedelta | None:
        """A room's own lead time, if it has one."""
        ...


@dataclass(frozen=True, slots=True)
class PrincipalHead:
    """A stored principal's plaintext fields; ``handle`` is the store's own (``open_principal`` takes it back)."""

    id: str
    kind: PrincipalKind
    join_lead_override: timedelta | None
    handle: object = field(default=None, compare=False, repr=False)


class PrincipalHeads(Protocol):
    """The active principals of an org without opening them, and one opened on demand."""

    def active_principal_heads(self, org_id: str) -> list[PrincipalHead]:
        """Every active principal of an org, unopened (one query, no decryption)."""
        ...

    def open_principal(self, org_id: str, head: PrincipalHead) -> Principal:
        """The whole principal behind a head (its sealed fields opened)."""
        ...
