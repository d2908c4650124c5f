"""Domain rules: the principal state machine, meetings and join-target ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.meetings import JoinKind, JoinTarget, Meeting, rank_join_targets
from shared.domain.presence import Presence, PresenceStatus
from shared.domain.principals import CredentialRef, ErrorReason, Org, Principal, PrincipalState
from shared.errors import InvalidInput

T = datetime(2026, 11, 24, 9, tzinfo=UTC)


def _p(state: PrincipalState = PrincipalState.PENDING) -> Principal:
    return Principal(org_id="o", id="p", email="a@example.com", state=state)


def test_happy_path_and_revalidation() -> None:
    """pending → validating → active → validating → error → validating → active."""
    p = _p().transition(PrincipalState.VALIDATING)
    assert p.attempts == 1
    p = p.transition(PrincipalState.ACTIVE)
    assert p.active and p.attempts == 0
    p = p.transition(PrincipalState.VALIDATING)
    p = p.transition(PrincipalState.ERROR, reason=ErrorReason.CALENDAR_NOT_FOUND)
    assert p.reason is ErrorReason.CALENDAR_NOT_FOUND and p.hint and "Calendar" in p.hint
    p = p.transition(PrincipalState.VALIDATING).transition(PrincipalState.ACTIVE)
    assert p.reason is None


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (PrincipalState.PENDING, PrincipalState.ACTIVE),
        (PrincipalState.ERROR, PrincipalState.ACTIVE),
        (PrincipalState.DEACTIVATED, PrincipalState.ACTIVE),
        (PrincipalState.DEACTIVATED, PrincipalState.VALIDATING),
        (PrincipalState.ACTIVE, PrincipalState.PENDING),
    ],
)
def test_forbidden_transitions(start: PrincipalState, target: PrincipalState) -> None:
    """Transitions the machine does not draw are refused."""
    with pytest.raises(InvalidInput):
        _p(start).transition(target)


def test_error_needs_reason_and_deactivation_restarts_clean() -> None:
    """An error state needs a reason; a deactivated principal can only start over as pending."""
    with pytest.raises(InvalidInput, match="reason"):
        _p(PrincipalState.VALIDATING).transition(PrincipalState.ERROR)
    p = _p(PrincipalState.ACTIVE).transition(PrincipalState.DEACTIVATED)
    assert p.transition(PrincipalState.PENDING).state is PrincipalState.PENDING


def test_org_owns_its_domain_only() -> None:
    """Email ownership compares the domain part case-insensitively and exactly."""
    org = Org(id="o", domain="Example.com", credential=CredentialRef("stored", ""))
    assert org.owns("a@example.COM")
    assert not org.owns("a@evil-example.com")
    assert not org.owns("a@example.com.evil")


def test_meeting_refuses_backwards_and_normalises_to_utc() -> None:
    """Meetings keep UTC inside and refuse to end before they start."""
    berlin = datetime(2026, 11, 24, 10, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    m = Meeting(org_id="o", principal_id="p", event_id="e", start=berlin, end=berlin + timedelta(hours=1))
    assert m.start.tzinfo is UTC and m.start.hour == 10
    assert m.expire_at == m.end + timedelta(days=7)
    with pytest.raises(ValueError, match="end before"):
        Meeting(org_id="o", principal_id="p", event_id="e", start=T, end=T - timedelta(minutes=1))


def test_join_targets_rank_best_first_and_dedupe() -> None:
    """Webex outranks SIP, Meet, Zoom, Teams and plain URLs; duplicate URIs collapse."""
    ranked = rank_join_targets(
        [
            JoinTarget(JoinKind.URL, "https://example.com/doc"),
            JoinTarget(JoinKind.ZOOM, "https://zoom.us/j/1"),
            JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/a"),
            JoinTarget(JoinKind.WEBEX, "https://ACME.webex.com/meet/a"),
            JoinTarget(JoinKind.SIP, "sip:a@acme.webex.com"),
        ]
    )
    assert [t.kind for t in ranked] == [JoinKind.WEBEX, JoinKind.SIP, JoinKind.ZOOM, JoinKind.URL]


def test_presence_sameness() -> None:
    """Presence compares by content; no stored presence equals available."""
    a = Presence(org_id="o", principal_id="p")
    assert a.same_as(None)
    b = Presence(org_id="o", principal_id="p", status=PresenceStatus.OUT_OF_OFFICE, message="away")
    assert not b.same_as(a)
    assert b.same_as(Presence(org_id="o", principal_id="p", status=PresenceStatus.OUT_OF_OFFICE, message="away"))
