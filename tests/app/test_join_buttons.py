"""Join buttons: one per active invitee and per device of each invited room, exactly once, with corrections."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from shared.documents import WriteOp
from shared.domain.presence import NoticeKind, RecipientKind
from shared.ports.messages import JoinButton
from shared.services import join_batches
from shared.services.join_buttons import JoinButtonDispatcher
from shared.topics import JOIN_BUTTONS
from tests.app.conftest import ALICE, BOB, CAROL, ROOM, ROOM2, T0, AppWorld


def _published(aw: AppWorld) -> list[JoinButton]:
    seen: list[JoinButton] = []
    aw.app.bus.subscribe(JOIN_BUTTONS, lambda m: seen.append(JoinButton.decode(m.data)), name="test-collector")
    return seen


def _notices(aw: AppWorld) -> Counter[tuple[str, str, str]]:
    org = aw.world.org.id
    found = aw.app.stores.notices.live_notices(org, T0 - timedelta(days=1))
    return Counter((s.notice.recipient_kind.value, s.notice.recipient_id, s.notice.kind.value) for s in found)


def test_one_notice_per_invitee_and_device_at_the_lead_time(aw: AppWorld) -> None:
    """Nothing before the lead time; then Alice, Bob and both of room A's devices, not Carol (not activated)."""
    seen = _published(aw)
    aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, CAROL, ROOM))
    aw.world.clock.set(T0 + timedelta(minutes=14))
    assert aw.app.join_buttons.dispatch().sent == 0
    aw.world.clock.set(T0 + timedelta(minutes=15))
    report = aw.app.join_buttons.dispatch()
    assert report.sent == 4
    people = {aw.app.stores.principals.principal_id(aw.world.org.id, e) for e in (ALICE, BOB)}
    devices = {d for d, _ in aw.devices[ROOM]}
    assert aw.app.bus.wait_idle(5)
    assert {(n.recipient_kind, n.recipient_id) for n in seen} == (
        {("person", p) for p in people} | {("device", d) for d in devices}
    )
    assert len(seen) == 4


def test_overlapping_runs_and_repeats_send_each_notice_once(aw: AppWorld) -> None:
    """Eight dispatchers racing, then a repeated run (a redelivered scheduler call), record each notice once."""
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM))
    seen = _published(aw)
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
    again = aw.client.post("/dispatch_join_buttons", headers={"Authorization": "Bearer admin"}).get_json()
    assert again["sent"] == 0 and again["duplicates"] == 4
    assert aw.app.bus.wait_idle(5)
    assert len(seen) == 4
    assert sum(_notices(aw).values()) == 4


def test_room_lead_override_and_declined_invitees(aw: AppWorld) -> None:
    """A room with a 10-minute lead gets its button before people; a person who declined gets none."""
    org = aw.world.org.id
    room = aw.app.stores.principals.find_principal(org, ROOM2)
    aw.app.stores.principals.put_principal(replace(room, join_lead_override=timedelta(minutes=10)))
    event = aw.meeting(ALICE, T0 + timedelta(minutes=20), guests=(BOB, ROOM2))
    with aw.world.http(BOB) as http:
        attendees = [{"email": BOB, "responseStatus": "declined"}, {"email": ROOM2}]
        http.patch(f"/calendar/v3/calendars/primary/events/{event['id']}", json={"attendees": attendees})
    aw.world.settle()
    aw.world.clock.set(T0 + timedelta(minutes=10))
    report = aw.app.join_buttons.dispatch()
    assert report.sent == 1 and _notices(aw) == Counter({("device", aw.devices[ROOM2][0][0], "join"): 1})
    aw.world.clock.set(T0 + timedelta(minutes=15))
    assert aw.app.join_buttons.dispatch().sent == 1
    alice = aw.app.stores.principals.principal_id(org, ALICE)
    assert _notices(aw)[("person", alice, "join")] == 1
    bob = aw.app.stores.principals.principal_id(org, BOB)
    assert not any(key[1] == bob for key in _notices(aw))


def test_a_moved_meeting_gets_one_correction_and_a_new_button(aw: AppWorld) -> None:
    """Moving a notified meeting sends `moved` once; at the new lead time a new join button follows."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    assert aw.app.join_buttons.dispatch().sent == 2
    later = T0 + timedelta(hours=2)
    aw.patch(
        ALICE,
        event["id"],
        {"start": {"dateTime": later.isoformat()}, "end": {"dateTime": (later + timedelta(minutes=30)).isoformat()}},
    )
    first = aw.app.join_buttons.dispatch()
    assert (first.moved, first.sent) == (2, 2)
    second = aw.app.join_buttons.dispatch()
    assert (second.moved, second.sent) == (0, 0)
    aw.world.clock.set(later - timedelta(minutes=5))
    third = aw.app.join_buttons.dispatch()
    assert third.by_kind == {"join": 2}
    kinds = Counter(kind for _, _, kind in _notices(aw).elements())
    assert kinds == Counter({"join": 4, "moved": 2})


def test_a_cancelled_meeting_gets_one_cancellation(aw: AppWorld) -> None:
    """Cancelling a notified meeting sends `cancelled` to every recipient once, also to the room's devices."""
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB, ROOM))
    assert aw.app.join_buttons.dispatch().sent == 4
    aw.cancel(ALICE, event["id"])
    aw.world.clock.advance(timedelta(minutes=1))
    report = aw.app.join_buttons.dispatch()
    assert report.cancelled == 4 and report.by_kind == {"cancelled": 4}
    assert aw.app.join_buttons.dispatch().sent == 0
    org = aw.world.org.id
    bob = aw.app.stores.principals.principal_id(org, BOB)
    mine = aw.app.stores.notices.notices_for(org, RecipientKind.PERSON, bob)
    assert [s.notice.kind for s in mine] == [NoticeKind.JOIN, NoticeKind.CANCELLED]
    assert mine[1].notice.target is None


def test_redelivered_bus_messages_do_not_duplicate_stream_events(aw: AppWorld) -> None:
    """The topic carries ids only; the published notice id finds the stored notice, however often it arrives."""
    aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    seen = _published(aw)
    aw.app.join_buttons.dispatch()
    assert aw.app.bus.wait_idle(5)
    for message in seen:
        stored = aw.app.stores.notices.get_notice(message.org_id, message.notice_id)
        assert stored is not None and stored.notice.recipient_id == message.recipient_id
        aw.app.bus.publish(JOIN_BUTTONS, message.encode())  # redelivery
    assert aw.app.bus.wait_idle(5)
    bob = aw.app.stores.principals.principal_id(aw.world.org.id, BOB)
    assert len(aw.app.stores.notices.notices_for(aw.world.org.id, RecipientKind.PERSON, bob)) == 1


def _dispatcher(aw: AppWorld) -> JoinButtonDispatcher:
    s = aw.app.stores
    return JoinButtonDispatcher(s.orgs, s.principals, s.meetings, s.notices, s.devices, aw.app.bus, aw.world.clock)


def _count_batches(aw: AppWorld, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record the paths of every document write call the calling thread makes (dispatch runs in it)."""
    batches: list[list[str]] = []
    me = threading.get_ident()
    documents = aw.app.documents
    for name in ("write", "bulk_write"):
        real = getattr(documents, name)

        def counted(ops: Sequence[WriteOp], _real: Callable[[Sequence[WriteOp]], None] = real) -> None:
            if threading.get_ident() == me:
                batches.append([op.path for op in ops])
            _real(ops)

        monkeypatch.setattr(documents, name, counted)
    return batches


def _count_writes(aw: AppWorld, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of every document write the calling thread makes (dispatch runs in it)."""
    paths: list[str] = []
    me = threading.get_ident()
    documents = aw.app.documents
    for name in ("write", "bulk_write"):
        real = getattr(documents, name)

        def counted(ops: Sequence[WriteOp], _real: Callable[[Sequence[WriteOp]], Any] = real) -> Any:
            if threading.get_ident() == me:
                paths.extend(op.path for op in ops)
            return _real(ops)

        monkeypatch.setattr(documents, name, counted)
    return paths


def test_first_run_writes_one_notice_per_recipient_and_a_repeat_writes_nothing(
    aw: AppWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run writes exactly one notice per recipient; repeated runs write nothing and send nothing."""
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM))
    aw.meeting(BOB, T0 + timedelta(minutes=4), guests=(ALICE,))
    seen = _published(aw)
    batches = _count_batches(aw, monkeypatch)
    first = aw.app.join_buttons.dispatch()
    assert first.sent == 6 and first.duplicates == 0
    assert len(batches) == 1, "the six notices are one create-if-absent write"
    (writes,) = batches
    assert len(writes) == 6 and all("/notices/" in p for p in writes) and len(set(writes)) == 6
    batches.clear()
    for _ in range(3):
        again = aw.app.join_buttons.dispatch()
        assert (again.sent, again.duplicates) == (0, 6)
    assert batches == []
    assert aw.app.bus.wait_idle(5)
    assert len(seen) == 6 and len({m.notice_id for m in seen}) == 6
    per_recipient = Counter((m.recipient_kind, m.recipient_id) for m in seen)
    assert sorted(per_recipient.values()) == [1, 1, 2, 2]  # Alice and Bob are in both meetings, each device in one
    assert _notices(aw) == Counter({(*k, "join"): n for k, n in per_recipient.items()})


def test_a_new_device_gets_the_one_missing_button_only(aw: AppWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """When one recipient of a notified meeting lacks a button (a device added), only that one is written."""
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(ROOM,))
    assert aw.app.join_buttons.dispatch().sent == 3
    org = aw.world.org.id
    room = aw.app.stores.principals.find_principal(org, ROOM)
    assert room is not None
    late = replace(aw.app.stores.devices.devices_of(org, room.id)[0], id="dev-late", token_hash="late")
    aw.app.stores.devices.put_device(late)
    writes = _count_writes(aw, monkeypatch)
    again = aw.app.join_buttons.dispatch()
    assert (again.sent, again.duplicates) == (1, 3)
    assert len(writes) == 1 and "/notices/" in writes[0]
    assert _notices(aw)[("device", "dev-late", "join")] == 1


def test_a_fresh_dispatcher_finds_every_button_sent_and_writes_nothing(
    aw: AppWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another instance (no memory of the first run) sends nothing again and writes nothing."""
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM))
    assert aw.app.join_buttons.dispatch().sent == 4
    writes = _count_writes(aw, monkeypatch)
    report = _dispatcher(aw).dispatch()
    assert (report.sent, report.duplicates, report.moved, report.corrected) == (0, 4, 0, 0)
    assert writes == []


def test_a_first_run_writes_its_notices_a_batch_at_a_time(aw: AppWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """With batches of four, six new notices are two writes (four, then two) and six publishes, each once."""
    monkeypatch.setattr(join_batches, "NOTICE_BATCH", 4)
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM))
    aw.meeting(BOB, T0 + timedelta(minutes=4), guests=(ALICE,))
    seen = _published(aw)
    batches = _count_batches(aw, monkeypatch)
    report = aw.app.join_buttons.dispatch()
    assert (report.sent, report.duplicates) == (6, 0)
    assert [len(b) for b in batches] == [4, 2]
    assert len({p for b in batches for p in b}) == 6 and all("/notices/" in p for b in batches for p in b)
    assert aw.app.bus.wait_idle(5)
    assert sorted(m.notice_id for m in seen) == sorted(p.rsplit("/", 1)[1] for b in batches for p in b)


def test_a_repeat_run_opens_nothing(aw: AppWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every button sent, a repeat run opens no principal, meeting or notice and writes nothing."""
    aw.meeting(ALICE, T0 + timedelta(minutes=3), guests=(BOB, ROOM))
    assert aw.app.join_buttons.dispatch().sent == 4
    opened: list[bytes] = []
    me, cipher = threading.get_ident(), aw.app.stores.cipher
    real = cipher.decrypt

    def counted(org_id: str, token: str, aad: bytes, *, principal_id: str | None = None) -> bytes:
        if threading.get_ident() == me:
            opened.append(aad)
        return real(org_id, token, aad, principal_id=principal_id)

    monkeypatch.setattr(cipher, "decrypt", counted)
    writes = _count_writes(aw, monkeypatch)
    again = aw.app.join_buttons.dispatch()
    assert (again.sent, again.duplicates, again.meetings) == (0, 4, 3)  # Alice's, Bob's and the room's copies
    assert writes == []
    collections = Counter(aad.split(b"\x1f")[2].decode() for aad in opened)
    assert collections == Counter({"orgs": 1, "devices": 4})  # the org once; the room's two devices per pass
