"""Table tests for the presence precedence rule over Calendar status event types."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.status import (
    LocationKind,
    StatusBlock,
    StatusState,
    StatusView,
    WorkingLocation,
    resolve,
)
from tests.support.instant import T0

H = timedelta(hours=1)
OOO = StatusBlock(StatusState.OUT_OF_OFFICE, T0 - H, T0 + 8 * H)
FOCUS = StatusBlock(StatusState.DO_NOT_DISTURB, T0 - H, T0 + H)
MEETING = StatusBlock(StatusState.IN_MEETING, T0, T0 + 2 * H)
LATER_FOCUS = StatusBlock(StatusState.DO_NOT_DISTURB, T0 + H, T0 + 3 * H)
HOME = WorkingLocation(LocationKind.HOME)


@pytest.mark.parametrize(
    ("blocks", "vacation", "expected"),
    [
        ((), False, StatusView(StatusState.AVAILABLE)),
        ((MEETING,), False, StatusView(StatusState.IN_MEETING, T0 + 2 * H)),
        ((MEETING, FOCUS), False, StatusView(StatusState.DO_NOT_DISTURB, T0 + H)),
        ((FOCUS, MEETING, OOO), False, StatusView(StatusState.OUT_OF_OFFICE, T0 + 8 * H)),
        ((MEETING,), True, StatusView(StatusState.OUT_OF_OFFICE, None)),
        ((LATER_FOCUS,), False, StatusView(StatusState.AVAILABLE)),
        ((StatusBlock(StatusState.IN_MEETING, T0 - H, T0),), False, StatusView(StatusState.AVAILABLE)),
        (
            (FOCUS, StatusBlock(StatusState.DO_NOT_DISTURB, T0, T0 + 4 * H)),
            False,
            StatusView(StatusState.DO_NOT_DISTURB, T0 + 4 * H),
        ),
    ],
    ids=[
        "none",
        "meeting",
        "focus-over-meeting",
        "ooo-over-all",
        "vacation",
        "future-block",
        "ended-block",
        "overlapping-focus-latest-end",
    ],
)
def test_precedence(blocks: tuple[StatusBlock, ...], vacation: bool, expected: StatusView) -> None:
    """Out of office beats focus, focus beats a meeting, a meeting beats available, at T0."""
    assert resolve(T0, blocks, vacation=vacation) == expected


def test_location_rides_beside_state() -> None:
    """The working location is reported with the state, never instead of it."""
    view = resolve(T0, (FOCUS,), location=HOME)
    assert (view.state, view.location) == (StatusState.DO_NOT_DISTURB, HOME)


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (WorkingLocation(LocationKind.HOME), "Home"),
        (WorkingLocation(LocationKind.OFFICE, "B2 · desk 14"), "Office · B2 · desk 14"),
        (WorkingLocation(LocationKind.OFFICE), "Office"),
        (WorkingLocation(LocationKind.CUSTOM, "Client site"), "Client site"),
    ],
)
def test_location_display(location: WorkingLocation, shown: str) -> None:
    """Each working-location kind has its display label."""
    assert location.display == shown
