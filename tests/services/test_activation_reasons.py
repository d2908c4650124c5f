"""Every way an activation ends: the state and reason each kind of answer from Google leads to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from shared.config import GOOGLE_SCOPES
from shared.domain.principals import HINTS, ErrorReason, PrincipalKind, PrincipalState
from tests.support.world import ROOMS, World

ALICE, ROOM = "alice@example.com", ROOMS[0]["email"]
CALENDAR, _GMAIL = GOOGLE_SCOPES


def scopes(granted: list[str]) -> Callable[[World], None]:
    """The service account is granted only ``granted``, and tokens issued before have expired."""

    def setup(world: World) -> None:
        world.control.set_service_account_scopes(world.org.domain, world.key["client_id"], granted)
        world.clock.advance(timedelta(hours=2))
        world.control.set_clock(advance_seconds=7200)

    return setup


def failing(status: int) -> Callable[[World], None]:
    """Every read of the calendar's settings answers ``status``, more often than the bus retries."""
    return lambda world: world.control.set_faults("calendar.settings.get", failNext=[status] * 20)


def nothing(world: World) -> None:
    """Google answers as it should."""


# name, address, kind, setup, state, reason, presence enabled
CASES: list[tuple[str, str, PrincipalKind, Callable[[World], None], PrincipalState, ErrorReason | None, bool]] = [
    ("person", ALICE, PrincipalKind.PERSON, nothing, PrincipalState.ACTIVE, None, True),
    ("room", ROOM, PrincipalKind.ROOM, nothing, PrincipalState.ACTIVE, None, False),
    (
        "unknown user",
        "nobody@example.com",
        PrincipalKind.PERSON,
        nothing,
        PrincipalState.ERROR,
        ErrorReason.CALENDAR_NOT_FOUND,
        False,
    ),
    (
        "other domain",
        "eve@other.org",
        PrincipalKind.PERSON,
        nothing,
        PrincipalState.ERROR,
        ErrorReason.EMAIL_MISMATCH,
        False,
    ),
    (
        "no delegation",
        ALICE,
        PrincipalKind.PERSON,
        scopes([]),
        PrincipalState.ERROR,
        ErrorReason.DELEGATION_NOT_AUTHORIZED,
        False,
    ),
    (
        "calendar scope only",
        ALICE,
        PrincipalKind.PERSON,
        scopes([CALENDAR]),
        PrincipalState.ACTIVE,
        ErrorReason.GMAIL_SCOPE_MISSING,
        False,
    ),
    ("google down", ALICE, PrincipalKind.PERSON, failing(503), PrincipalState.ERROR, ErrorReason.UNAVAILABLE, False),
]


@pytest.mark.parametrize(
    ("email", "kind", "setup", "state", "reason", "presence"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_activation_ends_in_its_state_and_reason(
    world: World,
    email: str,
    kind: PrincipalKind,
    setup: Callable[[World], None],
    state: PrincipalState,
    reason: ErrorReason | None,
    presence: bool,
) -> None:
    """Activation settles in the state and reason the case's Google answers call for, with the hint for it."""
    setup(world)
    world.activate(email, kind)
    world.control.clear_faults()
    found = world.app.stores.principals.find_principal(world.org.id, email)
    assert found is not None
    assert (found.state, found.reason) == (state, reason)
    assert found.hint == (HINTS[reason] if reason else None)
    if state is PrincipalState.ACTIVE:
        assert found.presence_enabled is presence
        assert [c["calendarId"] for c in world.control.channels()] == [email]  # watched once
    else:
        assert world.control.channels() == []  # an error principal is never watched
