"""The lean meeting list answers exactly what the per-meeting path answers, for people and room devices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace

from shared.api.app_meetings import listing
from shared.api.app_models import meeting_out
from shared.bootstrap import App, build
from shared.clock import ManualClock
from shared.config import Settings
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting, MeetingStatus, ResponseStatus
from shared.domain.principals import CredentialRef, Device, Org, Principal, PrincipalKind, PrincipalState
from shared.services.auth import Caller
from tests.support.instant import T0

ANN, ROOM = "Ann@Example.com", "room-1@example.com"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """An embedded app on a fixed clock."""
    built = build(Settings(data_dir=tmp_path, scheduler=False), clock=ManualClock(T0))
    yield built
    built.close()


def _meetings(org: str, pid: str) -> list[Meeting]:
    """Meetings covering every rule the list applies: privacy, declines, all-day, no target, cancelled, due now."""
    webex = (JoinTarget(JoinKind.WEBEX, "https://acme.webex.com/meet/a", "Webex"), JoinTarget(JoinKind.SIP, "a@b"))
    base = Meeting(
        org_id=org,
        principal_id=pid,
        event_id="e0",
        start=T0 + timedelta(minutes=3),
        end=T0 + timedelta(minutes=33),
        title="Plan",
        organizer="boss@example.com",
        attendees=(Attendee("ann@example.com", ResponseStatus.ACCEPTED), Attendee(ROOM, is_room=True)),
        location="4.01",
        agenda="Points",
        join_targets=webex,
        time_zone="Europe/Berlin",
        series_id="s1",
    )
    return [
        base,
        replace(base, event_id="e1", visibility="private"),
        replace(base, event_id="e2", visibility="private", attendees=(Attendee("x@example.com"),), organizer=None),
        replace(base, event_id="e3", attendees=(Attendee("ANN@example.com", ResponseStatus.DECLINED),)),
        replace(base, event_id="e4", all_day=True, start=T0, end=T0 + timedelta(days=1)),
        replace(base, event_id="e5", join_targets=(), start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3)),
        replace(base, event_id="e6", status=MeetingStatus.CANCELLED),
        replace(base, event_id="e7", visibility="confidential", organizer="ann@example.com", attendees=()),
        replace(base, event_id="e8", start=T0 - timedelta(minutes=50), end=T0 - timedelta(minutes=5)),
    ]


@pytest.mark.parametrize("as_device", [False, True])
def test_lean_list_matches_the_per_meeting_answer(app: App, as_device: bool) -> None:
    """Every listed meeting's JSON equals ``meeting_out`` of the same meeting through the use case."""
    org = Org(id="example-com", domain="example.com", credential=CredentialRef("stored", ""))
    app.stores.orgs.put_org(org)
    email = ROOM if as_device else ANN
    kind = PrincipalKind.ROOM if as_device else PrincipalKind.PERSON
    pid = app.stores.principals.principal_id(org.id, email)
    principal = Principal(org.id, pid, email, state=PrincipalState.ACTIVE, kind=kind, time_zone="Europe/Berlin")
    app.stores.principals.put_principal(principal)
    app.stores.meetings.put_meetings(_meetings(org.id, pid), T0)
    device = Device(org.id, "dev-1", pid, "Display", "hash") if as_device else None
    caller = Caller(org, principal, device)
    args = {"from": "2026-11-24T00:00:00Z", "to": "2026-11-25T00:00:00Z"}
    body = listing(app.meetings_api, caller, args)
    start, end = app.meetings_api.meetings.day_range(caller, T0 - timedelta(hours=9), T0 + timedelta(hours=15))
    _, _, items = app.meetings_api.meetings.list_meetings(caller, start, end)
    assert body["meetings"] == [meeting_out(i) for i in items]
    assert sorted(m["id"] for m in body["meetings"]) == ["e0", "e1", "e2", "e3", "e4", "e5", "e7", "e8"]
    starts = [m["start"] for m in body["meetings"]]
    assert starts == sorted(starts)
    hidden = {m["id"] for m in body["meetings"] if m["details_hidden"]}
    assert hidden == ({"e1", "e2", "e7"} if as_device else {"e2"})
    buttons = {m["id"] for m in body["meetings"] if m["join_button"]["eligible"]}
    assert buttons == ({"e0", "e1", "e2", "e3", "e7"} if as_device else {"e0", "e1", "e2", "e7"})
