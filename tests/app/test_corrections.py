"""Corrections after a join button: keyword removed, join target changed, back and forth — exactly once each."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from shared.domain.presence import NoticeKind, RecipientKind
from shared.services.join_buttons import JoinButtonDispatcher
from tests.app.conftest import ALICE, BOB, MEET, ROOM, T0, AppWorld

OTHER_MEET = "https://meet.google.com/xyz-uvwx-rst"


def _kinds(aw: AppWorld) -> Counter[str]:
    found = aw.app.stores.notices.live_notices(aw.world.org.id, T0 - timedelta(days=1))
    return Counter(s.notice.kind.value for s in found)


def _bobs(aw: AppWorld) -> list[tuple[str, str | None]]:
    org = aw.world.org.id
    bob = aw.app.stores.principals.principal_id(org, BOB)
    found = aw.app.stores.notices.notices_for(org, RecipientKind.PERSON, bob)
    return [(s.notice.kind.value, s.notice.target.uri if s.notice.target else None) for s in found]


def _webex_meeting(aw: AppWorld) -> dict[str, object]:
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB, ROOM), location="Floor 3 @webex")
    listed = aw.get(f"/v1/me/meetings/{event['id']}", aw.user(BOB)).get_json()
    assert listed["join_target"]["kind"] == "webex"
    return event


def test_removing_the_keyword_sends_one_removal_to_apps_and_devices(aw: AppWorld) -> None:
    """`@webex` out of the location: the join block goes, and every recipient gets `removed` once."""
    event = _webex_meeting(aw)
    assert aw.app.join_buttons.dispatch().sent == 4  # Alice, Bob, both of room A's devices
    aw.patch(ALICE, str(event["id"]), {"location": "Floor 3"})
    assert aw.get(f"/v1/me/meetings/{event['id']}", aw.user(BOB)).get_json()["join_target"] is None
    report = aw.app.join_buttons.dispatch()
    assert (report.corrected, report.by_kind) == (4, {"removed": 4})
    assert aw.app.join_buttons.dispatch().sent == 0
    assert _kinds(aw) == Counter({"join": 4, "removed": 4})
    assert _bobs(aw)[-1] == ("removed", None)
    device_id, _ = aw.device(ROOM)
    device = aw.app.stores.notices.notices_for(aw.world.org.id, RecipientKind.DEVICE, device_id)
    assert [s.notice.kind for s in device] == [NoticeKind.JOIN, NoticeKind.REMOVED]


def test_a_changed_join_target_sends_one_update_with_the_new_link(aw: AppWorld) -> None:
    """A new Meet link in the location: `updated` with the new link, once per recipient."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB, ROOM))
    assert aw.app.join_buttons.dispatch().sent == 4
    aw.patch(ALICE, str(event["id"]), {"location": OTHER_MEET})
    report = aw.app.join_buttons.dispatch()
    assert report.by_kind == {"updated": 4} and report.corrected == 4
    assert aw.app.join_buttons.dispatch().sent == 0
    assert _bobs(aw) == [("join", MEET), ("updated", OTHER_MEET)]


def test_a_target_that_changes_back_and_forth_is_corrected_every_time(aw: AppWorld) -> None:
    """A → B → A → B, and the keyword removed and put back: each change is corrected once, none is lost."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    aw.app.join_buttons.dispatch()
    for location in (OTHER_MEET, MEET, OTHER_MEET, "Floor 3", OTHER_MEET):
        aw.patch(ALICE, str(event["id"]), {"location": location})
        aw.world.clock.advance(timedelta(seconds=20))
        assert aw.app.join_buttons.dispatch().sent == 2  # Alice and Bob
        assert aw.app.join_buttons.dispatch().sent == 0
    assert _bobs(aw) == [
        ("join", MEET),
        ("updated", OTHER_MEET),
        ("updated", MEET),
        ("updated", OTHER_MEET),
        ("removed", None),
        ("updated", OTHER_MEET),
    ]


def test_racing_dispatchers_record_a_correction_once(aw: AppWorld) -> None:
    """Eight dispatchers running at once after the keyword is removed send four removals in all."""
    event = _webex_meeting(aw)
    aw.app.join_buttons.dispatch()
    aw.patch(ALICE, str(event["id"]), {"location": "Floor 3"})
    dispatchers = [_dispatcher(aw) for _ in range(8)]
    barrier = threading.Barrier(len(dispatchers))
    sent: list[int] = []

    def run(dispatcher: JoinButtonDispatcher) -> None:
        barrier.wait()
        sent.append(dispatcher.dispatch().sent)

    threads = [threading.Thread(target=run, args=(d,)) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(sent) == 4
    assert _kinds(aw) == Counter({"join": 4, "removed": 4})


def test_a_meeting_moved_and_given_a_new_link_gets_one_moved_notice_with_it(aw: AppWorld) -> None:
    """New times and a new link in one edit: one `moved` carrying the new link, no separate update."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    aw.app.join_buttons.dispatch()
    later = T0 + timedelta(minutes=40)
    aw.patch(
        ALICE,
        str(event["id"]),
        {
            "location": OTHER_MEET,
            "start": {"dateTime": later.isoformat()},
            "end": {"dateTime": (later + timedelta(minutes=30)).isoformat()},
        },
    )
    assert aw.app.join_buttons.dispatch().by_kind == {"moved": 2}
    assert aw.app.join_buttons.dispatch().sent == 0
    assert _bobs(aw) == [("join", MEET), ("moved", OTHER_MEET)]


def _dispatcher(aw: AppWorld) -> JoinButtonDispatcher:
    s = aw.app.stores
    return JoinButtonDispatcher(s.orgs, s.principals, s.meetings, s.notices, s.devices, aw.app.bus, aw.world.clock)
