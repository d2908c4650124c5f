"""Every Calendar and Gmail operation through GoogleCalendar / GoogleGmail, in-process and over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from shared.adapters.google.clients import GoogleCalendarDirectory
from shared.adapters.google.gateway import GoogleCalendarGateway
from shared.adapters.google.mappers import calendar_event_from_api
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalKind
from shared.errors import InvalidInput, NotFound, PreconditionFailed, SyncTokenExpired
from shared.ports import CalendarGateway
from shared.ports.calendar import EventQuery
from tests.google.conftest import ANN, BOB, ROOM, Env, assert_counts_agree, timed
from tests.support.instant import T0


def test_event_lifecycle(env: Env) -> None:
    """insert, get, patch with If-Match, a stale patch, quickAdd, instances and delete behave like Google."""
    stack = env.clients()
    cal = stack.calendar(env.credential, ANN)
    body = timed(
        "2026-11-25T09:00:00",
        "2026-11-25T09:30:00",
        summary="Standup",
        recurrence=["RRULE:FREQ=DAILY;COUNT=4"],
        attendees=[{"email": BOB}],
    )
    event = cal.insert_event("primary", body, send_updates="none", conference_data_version=1)
    got = cal.get_event("primary", event["id"])
    assert got["etag"] == event["etag"]
    assert got["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=4"]
    patched = cal.patch_event("primary", event["id"], {"location": "@webex"}, etag=got["etag"])
    assert patched["location"] == "@webex"
    assert patched["etag"] != got["etag"]
    with pytest.raises(PreconditionFailed):
        cal.patch_event("primary", event["id"], {"summary": "stale"}, etag=got["etag"])
    instances = list(cal.iter_instances("primary", event["id"], max_results=3))
    assert [i["start"]["dateTime"][:10] for i in instances] == ["2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"]
    quick = cal.quick_add("primary", "Lunch 2026-11-26 12:00-13:00 at Canteen")
    assert quick["summary"] == "Lunch"
    assert quick["location"] == "Canteen"
    cal.delete_event("primary", quick["id"])
    with pytest.raises(NotFound):
        cal.delete_event("primary", quick["id"])
    with pytest.raises(NotFound):
        cal.get_event("primary", "doesnotexist1")
    assert stack.counter.count("calendar.events.patch", outcome="412") == 1
    assert stack.counter.count("calendar.events.instances") == 2
    assert_counts_agree(env, stack)


def test_paging_sync_tokens_and_410(env: Env) -> None:
    """Pages of 2 and 3 items cover every event once; a sync token sees one change; invalidated → SyncTokenExpired."""
    stack = env.clients()
    cal = stack.calendar(env.credential, ANN)
    ids = [
        cal.insert_event("primary", timed(f"2026-11-{d}T10:00:00", f"2026-11-{d}T11:00:00"), send_updates="none")["id"]
        for d in range(20, 27)
    ]
    for size, expected in ((3, [3, 3, 1]), (2, [2, 2, 2, 1])):
        pages = list(cal.iter_pages("primary", max_results=size))
        assert [len(p.items) for p in pages] == expected
        assert all(p.next_sync_token is None for p in pages[:-1])
        assert [i["id"] for p in pages for i in p.items] == ids
    sync_token = pages[-1].next_sync_token
    assert sync_token
    cal.patch_event("primary", ids[3], {"summary": "moved"}, etag=None)
    changed = cal.list_events("primary", sync_token=sync_token)
    assert [i["id"] for i in changed.items] == [ids[3]]
    assert changed.next_sync_token
    env.control.invalidate_sync_tokens()
    with pytest.raises(SyncTokenExpired):
        cal.list_events("primary", sync_token=changed.next_sync_token)
    window = list(
        cal.iter_events(
            "primary",
            time_min=datetime(2026, 11, 22, tzinfo=UTC),
            time_max=datetime(2026, 11, 24, tzinfo=UTC),
            max_results=2,
        )
    )
    assert [i["id"] for i in window] == ids[2:4]
    assert stack.counter.count("calendar.events.list", outcome="410") == 1
    assert_counts_agree(env, stack)


def test_sync_token_with_time_bounds_is_refused_locally(emu: Env) -> None:
    """A syncToken with timeMin raises InvalidInput without spending an API call."""
    stack = emu.clients()
    with pytest.raises(InvalidInput):
        stack.calendar(emu.credential, ANN).list_events("primary", sync_token="x", time_min=T0)
    assert stack.counter.total() == 0


def test_sync_pages_map_to_domain_events(env: Env) -> None:
    """The gateway's events_page lists a recurring master once; instances_page expands it; cancelled instances too."""
    stack = env.clients()
    cal = stack.calendar(env.credential, ANN)
    gateway = GoogleCalendarGateway(lambda _org, _principal: cal)
    org = Org(id="org-1", domain="example.com", credential=CredentialRef("stored", "org-1"))
    ann = Principal(org_id="org-1", id="p1", email=ANN)
    master = cal.insert_event(
        "primary",
        timed(
            "2026-11-25T09:00:00",
            "2026-11-25T09:30:00",
            recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
            attendees=[{"email": BOB}, {"email": ROOM}],
            extendedProperties={"private": {"hybridcal": "1"}},
        ),
        send_updates="none",
    )
    first = gateway.events_page(org, ann, ANN, EventQuery())
    assert len(first.events) == 1 and first.next_sync_token
    listed = first.events[0]
    assert listed.id == master["id"] and listed.is_recurring_master
    window = EventQuery(time_min=datetime(2026, 11, 24, tzinfo=UTC), time_max=datetime(2026, 12, 1, tzinfo=UTC))
    instances = gateway.instances_page(org, ann, ANN, master["id"], window).events
    assert len(instances) == 3
    one = instances[0]
    assert one.recurring_event_id == master["id"]
    assert one.organizer_self and one.organizer_email == ANN
    assert {a.email for a in one.attendees} == {BOB, ROOM}
    assert one.time_zone == "Europe/Berlin"
    cal.delete_event("primary", instances[1].id, send_updates="none")
    later = gateway.instances_page(org, ann, ANN, master["id"], window)
    assert [e.status for e in later.events].count("cancelled") == 1
    changes = gateway.events_page(org, ann, ANN, EventQuery(sync_token=first.next_sync_token))
    assert [(e.cancelled, e.recurring_event_id) for e in changes.events] == [(True, master["id"])]
    assert_counts_agree(env, stack)


def test_watch_and_stop_channel(env: Env) -> None:
    """events.watch returns the channel with its expiration; channels.stop closes it; a second stop is NotFound."""
    stack = env.clients()
    cal = stack.calendar(env.credential, ANN)
    info = cal.watch(ANN, channel_id="chan-1", token="secret", address="http://127.0.0.1:9/hook", ttl_seconds=3600)
    assert info.id == "chan-1" and info.resource_id
    emulator_now = datetime.fromisoformat(env.control.clock()["time"])
    assert abs((info.expiration - emulator_now) - timedelta(hours=1)) < timedelta(seconds=5)
    assert [c["id"] for c in env.control.channels()] == ["chan-1"]
    cal.stop_channel(info.id, info.resource_id)
    assert env.control.channels() == []
    with pytest.raises(NotFound):
        cal.stop_channel(info.id, info.resource_id)
    assert_counts_agree(env, stack)


def test_settings_acl_and_freebusy(env: Env) -> None:
    """settings.get reads locale and timezone; acl insert/delete grant and revoke; freeBusy reports busy time."""
    stack = env.clients()
    ann = stack.calendar(env.credential, ANN)
    assert ann.get_setting("locale") == "de"
    assert ann.get_setting("timezone") == "Europe/Berlin"
    rule = ann.insert_acl("primary", "reader", "user", BOB)
    assert rule["id"] == f"user:{BOB}"
    bob = stack.calendar(env.credential, BOB)
    assert list(bob.iter_events(ANN)) == []
    ann.delete_acl("primary", rule["id"])
    with pytest.raises(NotFound):
        ann.delete_acl("primary", rule["id"])
    ann.insert_event("primary", timed("2026-11-25T10:00:00", "2026-11-25T11:00:00"), send_updates="none")
    busy = bob.free_busy(
        [ANN, BOB, "nobody@example.com"], datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)
    )
    assert busy[ANN] == ((datetime(2026, 11, 25, 9, tzinfo=UTC), datetime(2026, 11, 25, 10, tzinfo=UTC)),)
    assert busy[BOB] == ()
    assert busy["nobody@example.com"] is None
    assert_counts_agree(env, stack)


def test_gmail_get_vacation(env: Env) -> None:
    """users.settings.getVacation returns the responder as the admin set it."""
    settings = {
        "enableAutoReply": True,
        "responseSubject": "Away",
        "startTime": "1764000000000",
        "endTime": "1765000000000",
    }
    env.control.set_vacation(ANN, settings)
    stack = env.clients()
    vacation = stack.gmail(env.credential, ANN).get_vacation()
    assert vacation["enableAutoReply"] is True
    assert vacation["responseSubject"] == "Away"
    assert vacation["startTime"] == "1764000000000"
    assert stack.counter.count("gmail.users.settings.getVacation", subject=ANN, outcome="200") == 1
    assert_counts_agree(env, stack)


def test_domain_mapping_of_listed_events(emu: Env) -> None:
    """A listed event maps to the domain with attendees, properties and conference entry points."""
    stack = emu.clients()
    cal = stack.calendar(emu.credential, ANN)
    cal.insert_event(
        "primary",
        timed(
            "2026-11-25T10:00:00", "2026-11-25T11:00:00", location="@webex", extendedProperties={"private": {"k": "v"}}
        ),
        send_updates="none",
    )
    raw = next(cal.iter_events("primary"))
    event = calendar_event_from_api(raw)
    assert event.location == "@webex"
    assert event.private_properties == {"k": "v"}
    assert event.start == datetime(2026, 11, 25, 9, tzinfo=UTC)


def test_the_directory_picks_subjects_for_the_gateway(emu: Env) -> None:
    """The directory acts as the person, or as the room delegate; the gateway over it lists a room's calendar."""
    stack = emu.clients()
    keys = {"org-1": json.dumps(emu.key)}
    directory = GoogleCalendarDirectory(stack, keys.get)
    org = Org(id="org-1", domain="example.com", credential=CredentialRef("stored", "org-1"), room_delegate=BOB)
    person = Principal(org_id="org-1", id="p1", email=ANN)
    room = Principal(org_id="org-1", id="r1", email=ROOM, kind=PrincipalKind.ROOM)
    assert directory.calendar_for(org, person).subject == ANN
    room_api = directory.calendar_for(org, room)
    assert room_api.subject == BOB
    gateway: CalendarGateway = GoogleCalendarGateway(directory.calendar_for)
    assert gateway.events_page(org, room, ROOM, EventQuery()).events == ()
    assert directory.credential(org) is directory.credential(org)
    with pytest.raises(InvalidInput):
        directory.calendar_for(replace(org, room_delegate=None), room)
    with pytest.raises(InvalidInput):
        directory.credential(replace(org, id="org-2", credential=CredentialRef("stored", "org-2")))
