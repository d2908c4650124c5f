"""The webhook's HTTP statuses, chosen at the entry point from the use case's outcome."""

from __future__ import annotations

from shared.api.http import webhook_status
from shared.services.webhook import Outcome


def test_every_outcome_maps_to_the_status_answered_before() -> None:
    """Malformed notifications are 400, a wrong token 403, everything else 200."""
    expected = {
        Outcome.BODY_TOO_LARGE: 400,
        Outcome.MISSING_CHANNEL_HEADERS: 400,
        Outcome.INVALID_CHANNEL_HEADERS: 400,
        Outcome.TOKEN_MISMATCH: 403,
        Outcome.UNKNOWN_CHANNEL: 200,
        Outcome.SYNC_HANDSHAKE: 200,
        Outcome.COALESCED: 200,
        Outcome.PUBLISHED: 200,
    }
    assert {o: webhook_status(o) for o in Outcome} == expected
