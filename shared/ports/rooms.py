"""Port of room release: the ledger of release policies and per-meeting outcomes (the room's calendar is the
gateway's ``RoomAttendance`` role)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from shared.domain.rooms import Outcome, OutcomeRecord, ReleasePolicy


class RoomLedger(Protocol):
    """Release policies (org default, room override) and one outcome record per room meeting instance."""

    def policy(self, org_id: str, room_id: str | None) -> ReleasePolicy | None:
        """The org's default (``room_id`` None) or the room's override; None when none was set."""
        ...

    def set_policy(self, org_id: str, room_id: str | None, policy: ReleasePolicy | None) -> None:
        """Set (or with None remove) the org's default or the room's override."""
        ...

    def outcomes(self, org_id: str, room_id: str, event_ids: Sequence[str]) -> dict[str, OutcomeRecord]:
        """The recorded outcomes of these instances of one room (in one read), by event id."""
        ...

    def claim(self, record: OutcomeRecord, *, replacing: Collection[Outcome] = ()) -> bool:
        """Record an outcome if the instance has none (or one of ``replacing``): compare-and-set, True if it won."""
        ...

    def settle(self, record: OutcomeRecord, *, expected: Outcome) -> bool:
        """Move an instance from ``expected`` to ``record.outcome`` (compare-and-set); False if it had moved."""
        ...

    def withdraw(self, org_id: str, room_id: str, event_id: str, *, expected: Outcome) -> None:
        """Remove an instance's record if it still holds ``expected`` (a claim that could not be carried out)."""
        ...

    def list(self, org_id: str, first_day: str, last_day: str, room_id: str | None = None) -> list[OutcomeRecord]:
        """Every record of the org (or of one room) counted on days ``first_day``..``last_day`` (YYYY-MM-DD)."""
        ...
