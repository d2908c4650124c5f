"""Server-Sent Events: join buttons and presence reach open streams promptly, resumable and bounded."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from shared.api.app_stream import EventStream, StreamSettings, StreamTarget, frame
from shared.clock import ManualClock
from shared.domain.presence import Presence, PresenceSource, PresenceStatus, RecipientKind
from shared.ports.messages import PresenceChanged
from shared.ports.stores import Stores
from shared.services.broadcaster import Broadcaster
from shared.topics import PRESENCE_CHANGED
from tests.app.conftest import ALICE, BOB, ROOM, ROOM2, T0, AppWorld
from tests.support.wait import wait_until


@dataclass
class Frames:
    """Frames read from one stream by a background thread."""

    items: queue.Queue[tuple[str, Any, str | None]] = field(default_factory=queue.Queue)
    comments: list[str] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)

    def next(self, event: str, timeout: float = 5.0) -> tuple[Any, str | None]:
        """The next frame of kind ``event`` (skipping others)."""
        while True:
            kind, data, ident = self.items.get(timeout=timeout)
            if kind == event:
                return data, ident


def read(lines: Iterator[str], frames: Frames) -> None:
    """Parse SSE lines into frames."""
    event, data, ident = "message", "", None
    for line in lines:
        if line.startswith(":"):
            frames.comments.append(line)
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line.startswith("id: "):
            ident = line[4:]
        elif line == "" and data:
            frames.items.put((event, json.loads(data), ident))
            event, data, ident = "message", "", None
    frames.ended.set()


@pytest.fixture
def served(aw: AppWorld) -> Iterator[str]:
    """The local runtime over real HTTP (streams need a socket)."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, aw.world.runtime, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    aw.app.broadcaster.close()
    assert wait_until(lambda: aw.app.broadcaster.active == 0)
    server.shutdown()
    server.server_close()


def open_stream(url: str, headers: dict[str, str]) -> Frames:
    """Open a stream and read it on a thread."""
    frames = Frames()

    def run() -> None:
        with httpx.stream("GET", url, headers=headers, timeout=30) as response:
            frames.items.put(("status", response.status_code, None))
            read(response.iter_lines(), frames)

    threading.Thread(target=run, daemon=True).start()
    return frames


def test_my_stream_gets_presence_then_the_join_button_promptly(aw: AppWorld, served: str) -> None:
    """Presence first; a dispatched join button arrives through the broadcaster, long before the next poll."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0, heartbeat=60.0)
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    frames = open_stream(f"{served}/v1/me/stream", aw.user(BOB))
    assert frames.next("status")[0] == 200
    assert frames.next("presence")[0]["status"] == "available"
    aw.app.join_buttons.dispatch()
    notice, ident = frames.next("join_button", timeout=5)
    assert notice["meeting_id"] == event["id"] and notice["kind"] == "join"
    assert notice["join_target"]["kind"] == "google_meet" and ident
    org = aw.world.org.id
    bob = aw.app.stores.principals.principal_id(org, BOB)
    aw.app.stores.presence.put_presence(
        Presence(org, bob, PresenceStatus.OUT_OF_OFFICE, "Away", T0, None, PresenceSource.GMAIL_VACATION)
    )
    aw.app.bus.publish(PRESENCE_CHANGED, PresenceChanged(org_id=org, principal_id=bob).encode())
    assert frames.next("presence", timeout=5)[0]["status"] == "out_of_office"


def test_reconnecting_replays_live_notices_or_resumes_after_last_event_id(aw: AppWorld, served: str) -> None:
    """A fresh stream replays the live join button; with Last-Event-ID only what came after it."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0)
    event = aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    aw.app.join_buttons.dispatch()
    fresh = open_stream(f"{served}/v1/me/stream", aw.user(BOB))
    replayed, ident = fresh.next("join_button")
    assert replayed["kind"] == "join" and ident
    resumed = open_stream(f"{served}/v1/me/stream", {**aw.user(BOB), "Last-Event-ID": ident})
    assert resumed.next("presence")[0]["status"] == "available"
    aw.cancel(ALICE, event["id"])
    aw.world.clock.advance(60)
    aw.app.join_buttons.dispatch()
    assert resumed.next("join_button")[0]["kind"] == "cancelled"
    bad = httpx.get(f"{served}/v1/me/stream", headers={**aw.user(BOB), "Last-Event-ID": "../etc"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"


def test_device_stream_carries_its_own_notices_only(aw: AppWorld, served: str) -> None:
    """Room A's display gets room A's button; room B's token is refused on it."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0)
    aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(ROOM,))
    device_id, headers = aw.device(ROOM)
    frames = open_stream(f"{served}/v1/devices/{device_id}/stream", headers)
    assert frames.next("status")[0] == 200
    aw.app.join_buttons.dispatch()
    assert frames.next("join_button")[0]["kind"] == "join"
    refused = httpx.get(f"{served}/v1/devices/{device_id}/stream", headers=aw.device(ROOM2)[1])
    assert refused.status_code == 403


def test_streams_beat_and_end_after_their_lifetime(aw: AppWorld) -> None:
    """On the stream's own timer: a heartbeat once it is due, then `bye` and the end when the lifetime is over."""
    bob = aw.app.stores.principals.principal_id(aw.world.org.id, BOB)
    timer = ManualClock(T0)
    wakes = Broadcaster()
    stream = EventStream(
        aw.app.stores,
        aw.world.clock,
        wakes,
        StreamTarget(aw.world.org.id, RecipientKind.PERSON, bob),
        None,
        StreamSettings(lifetime=60.0, poll=30.0, heartbeat=10.0, retry_ms=1500),
        timer=timer,
    )
    frames = iter(stream)
    assert next(frames) == "retry: 1500\n\n"
    timer.advance(11)
    assert next(frames) == ": heartbeat\n\n" and wakes.active == 1
    timer.advance(50)
    wakes.notify()  # wake the wait; the timer says the lifetime is over
    assert next(frames) == frame("bye", {"reconnect": True})
    assert next(frames, None) is None and wakes.active == 0


def test_a_stream_over_http_says_bye_and_ends_the_response(aw: AppWorld, served: str) -> None:
    """A stream whose lifetime is over sends `bye` and closes the response, which the client sees end."""
    aw.app.meetings_api.streams = StreamSettings(lifetime=0.0, poll=0.1, heartbeat=15.0)
    frames = open_stream(f"{served}/v1/me/stream", aw.user(BOB))
    assert frames.next("status")[0] == 200
    assert frames.next("bye", timeout=10)[0] == {"reconnect": True}
    assert frames.ended.wait(10)


def _polled_stream_of_bob(aw: AppWorld, stores: Stores, wakes: Broadcaster) -> tuple[Frames, threading.Thread]:
    """Bob's stream over ``stores``, polling every 50 ms, read on a thread (``wakes.close()`` ends it)."""
    bob = aw.app.stores.principals.principal_id(aw.world.org.id, BOB)
    stream = EventStream(
        stores,
        aw.world.clock,
        wakes,
        StreamTarget(aw.world.org.id, RecipientKind.PERSON, bob),
        None,
        StreamSettings(lifetime=10.0, poll=0.05, heartbeat=5.0),
    )
    frames = Frames()
    reader = threading.Thread(
        target=read, args=((line for chunk in stream for line in chunk.split("\n")), frames), daemon=True
    )
    reader.start()
    return frames, reader


def test_polling_alone_delivers_without_the_broadcaster(aw: AppWorld) -> None:
    """A stream in another instance (its broadcaster never woken) still finds the notice by polling the store."""
    aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    other_instance = Broadcaster()
    frames, reader = _polled_stream_of_bob(aw, aw.app.stores, other_instance)
    try:
        aw.app.join_buttons.dispatch()
        assert frames.next("join_button", timeout=5)[0]["kind"] == "join"
    finally:  # end the stream before the store closes, so no read outlives the test
        other_instance.close()
        reader.join(10)
    assert not reader.is_alive()


def test_a_notice_committed_after_a_poll_that_found_none_still_comes_on_that_connection(aw: AppWorld) -> None:
    """A dispatch run stamps its notices with the time it decided and commits them after: a stream that polled
    in between (and found nothing) sends the notice at its next poll, without waiting for a reconnection."""
    aw.meeting(ALICE, T0 + timedelta(minutes=4), guests=(BOB,))
    clock = aw.world.clock
    decided = clock.now()
    clock.advance(1)  # the stream's first poll comes a second after the run decided
    real = aw.app.stores.notices
    polls: list[int] = []

    class CommitsAfterTheFirstPoll:
        def notices_for(self, *args: Any, **kwargs: Any) -> Any:
            found = real.notices_for(*args, **kwargs)
            polls.append(len(found))
            if len(polls) == 1:  # the run that decided at `decided` commits right after this read
                clock.set(decided)
                aw.app.join_buttons.dispatch()
                clock.set(decided + timedelta(seconds=1))
            return found

    wakes = Broadcaster()
    stores = SimpleNamespace(notices=CommitsAfterTheFirstPoll(), presence=aw.app.stores.presence)
    frames, reader = _polled_stream_of_bob(aw, cast(Stores, stores), wakes)
    try:
        notice = frames.next("join_button", timeout=5)[0]
        assert notice["kind"] == "join" and notice["sent_at"].startswith(decided.strftime("%Y-%m-%dT%H:%M:%S"))
        assert polls[0] == 0
    finally:
        wakes.close()
        reader.join(10)
    assert not reader.is_alive()
