"""The retention window at its boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.retention import RetentionWindow, expire_at

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
W = RetentionWindow.at(NOW)
H = timedelta(hours=1)
US = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        (NOW, NOW + H, True),
        (W.start - H, W.start, False),  # ends exactly when the window opens
        (W.start - H, W.start + US, True),  # ends just inside
        (W.end, W.end + H, True),  # starts exactly when the window closes
        (W.end + US, W.end + H, False),  # starts just after
        (W.start - timedelta(days=30), W.end + timedelta(days=30), True),  # spans the window
        (W.start + H, W.start + H, True),  # zero-length inside
        (W.start, W.start, False),  # zero-length on the opening edge
    ],
)
def test_overlap_boundaries(start: datetime, end: datetime, kept: bool) -> None:
    """A meeting is kept exactly when it ends after the window opens and starts by its close."""
    assert W.overlaps(start, end) is kept


def test_window_edges() -> None:
    """The window runs from 7 days back to 31 days ahead."""
    assert W.start == NOW - timedelta(days=7)
    assert W.end == NOW + timedelta(days=31)


def test_expire_at_is_end_plus_seven_days() -> None:
    """Stored meetings expire 7 days after they end, which keeps every kept meeting alive now."""
    assert expire_at(NOW) == NOW + timedelta(days=7)
    assert expire_at(W.start + US) > NOW


def test_refuses_naive_and_backwards() -> None:
    """Naive datetimes and inverted intervals are refused."""
    with pytest.raises(ValueError, match="naive"):
        W.overlaps(datetime(2026, 1, 1), datetime(2026, 1, 2))
    with pytest.raises(ValueError, match="end before"):
        W.overlaps(NOW, NOW - H)
