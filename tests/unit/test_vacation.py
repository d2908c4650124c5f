"""Deciding out-of-office presence from the vacation responder and Calendar OOO events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.adapters.google.vacation import responder_from_api
from shared.domain.meetings import Meeting, MeetingStatus
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.domain.vacation import VacationResponder, decide, last_responder, ooo_events_in_effect

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
D = timedelta(days=1)


def _ooo(start: datetime, end: datetime, **kw: object) -> Meeting:
    fields: dict[str, object] = {
        "org_id": "o",
        "principal_id": "p",
        "event_id": "e",
        "start": start,
        "end": end,
        "title": "Out of office",
        "event_type": "outOfOffice",
    }
    fields.update(kw)
    return Meeting(**fields)  # type: ignore[arg-type]


def test_responder_on_without_window_is_out_of_office() -> None:
    """An enabled responder with no dates sets out-of-office with its subject as message."""
    p = decide("o", "p", VacationResponder(True, "Away"), [], NOW)
    assert (p.status, p.message, p.source, p.since, p.until) == (
        PresenceStatus.OUT_OF_OFFICE,
        "Away",
        PresenceSource.GMAIL_VACATION,
        None,
        None,
    )


def test_responder_off_future_and_expired_are_available() -> None:
    """Off, scheduled for the future, or already ended: available."""
    for responder in (
        VacationResponder(False, "x"),
        VacationResponder(True, "x", start=NOW + D),
        VacationResponder(True, "x", start=NOW - 2 * D, end=NOW - D),
        VacationResponder(True, "x", end=NOW),
    ):
        assert decide("o", "p", responder, [], NOW).status is PresenceStatus.AVAILABLE


def test_window_edges() -> None:
    """The responder applies from its start (inclusive) to its end (exclusive)."""
    r = VacationResponder(True, "x", start=NOW, end=NOW + D)
    assert r.in_effect(NOW) and not r.in_effect(NOW + D) and not r.in_effect(NOW - timedelta(microseconds=1))


def test_calendar_event_and_both_sources() -> None:
    """A Calendar OOO event in effect counts; with the responder too the source is both."""
    event = _ooo(NOW - D, NOW + D)
    only_calendar = decide("o", "p", VacationResponder(False), [event], NOW)
    assert only_calendar.source is PresenceSource.CALENDAR_EVENT and only_calendar.message == "Out of office"
    both = decide("o", "p", VacationResponder(True, "Holiday", start=NOW - 2 * D, end=NOW + 3 * D), [event], NOW)
    assert both.source is PresenceSource.BOTH and both.message == "Holiday"
    assert both.since == NOW - 2 * D and both.until == NOW + 3 * D


def test_only_ooo_events_in_effect_count() -> None:
    """Ordinary meetings, cancelled OOO events and OOO events not covering now are ignored."""
    meetings = [
        _ooo(NOW - D, NOW + D, event_type="default"),
        _ooo(NOW - D, NOW + D, status=MeetingStatus.CANCELLED),
        _ooo(NOW + D, NOW + 2 * D),
        _ooo(NOW - D, NOW + D, event_id="yes"),
    ]
    assert [m.event_id for m in ooo_events_in_effect(meetings, NOW)] == ["yes"]


def test_gmail_wire_format_is_mapped() -> None:
    """Gmail's epoch-millisecond strings become aware datetimes; zero means no bound."""
    r = responder_from_api(
        {"enableAutoReply": True, "responseSubject": "Away", "startTime": "1764000000000", "endTime": "0"}
    )
    assert r.enabled and r.subject == "Away" and r.end is None
    assert r.start == datetime(2025, 11, 24, 16, 0, tzinfo=UTC)
    assert responder_from_api({}).enabled is False


def test_last_responder_is_the_polled_window_only_when_gmail_was_a_source() -> None:
    """A stored Gmail (or both) decision gives back an enabled responder with its window; a calendar one gives none."""
    gmail = Presence("o", "p", PresenceStatus.OUT_OF_OFFICE, "Away", NOW - D, NOW + D, PresenceSource.GMAIL_VACATION)
    assert last_responder(gmail) == VacationResponder(True, "Away", NOW - D, NOW + D)
    responder = last_responder(gmail)
    assert responder is not None and responder.in_effect(NOW) and not responder.in_effect(NOW + D)
    calendar = Presence("o", "p", PresenceStatus.OUT_OF_OFFICE, "Trip", NOW, NOW + D, PresenceSource.CALENDAR_EVENT)
    assert last_responder(calendar) is None and last_responder(None) is None
    both = Presence("o", "p", PresenceStatus.OUT_OF_OFFICE, "Away", NOW - D, None, PresenceSource.BOTH)
    assert last_responder(both) == VacationResponder(True, "Away", NOW - D, None)
