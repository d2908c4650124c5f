"""Server-Sent Events for the app and room devices: join buttons and presence changes.

A stream reads the store, so it works wherever it runs (Cloud Functions instances share no
memory): it replays the recipient's notices for meetings not over yet (or those after the
client's ``Last-Event-ID``), then polls for new ones. In one process the :class:`Broadcaster`
(woken by the join-buttons and presence-changed topics) makes delivery prompt instead of
waiting for the next poll. Heartbeat comments keep proxies from closing an idle stream; the
stream ends after a bounded lifetime and the client reconnects with ``Last-Event-ID``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import flask
import msgspec

from shared.api.app_models import iso, target_out
from shared.api.app_people_models import presence_out
from shared.clock import SystemClock
from shared.domain.presence import Presence, RecipientKind
from shared.errors import HybridCalendarError, InvalidInput
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock
from shared.ports.stores import StoredNotice, Stores
from shared.services.broadcaster import Broadcaster
from shared.services.room_presence import RoomPerson, states

if TYPE_CHECKING:
    from shared.api.app import AppApi
    from shared.api.params import StreamHeader

log = get_logger(__name__)
Cursor = tuple[datetime, str]
#: How long after the time it carries a notice may still be committing (a dispatch run over many meetings,
#: another instance's clock): each poll reads back this far.
LATE = timedelta(minutes=5)


class StreamSettings(msgspec.Struct, frozen=True):
    """How long a stream lives, how often it polls and beats (seconds of real time)."""

    lifetime: float = 300.0
    poll: float = 2.0
    heartbeat: float = 15.0
    retry_ms: int = 2000


class StreamTarget(msgspec.Struct, frozen=True):
    """Whose events a stream carries: one recipient's notices, and a person's presence or a set of people's states.

    ``presence_among`` (a room display) sends ``presence`` frames ``{"people": [{email, status}]}`` with the
    people whose state changed (all of them first); only the state, never the message or working location.
    """

    org_id: str
    kind: RecipientKind
    recipient_id: str
    presence_of: str | None = None
    presence_among: tuple[RoomPerson, ...] = ()


def event_id(stored: StoredNotice) -> str:
    """The SSE id of a notice: send time (µs) and notice id; it orders the stream."""
    micros = int(stored.notice.sent_at.timestamp() * 1_000_000)
    return f"{micros}.{stored.id}"


def parse_cursor(value: str | None) -> Cursor | None:
    """Read a ``Last-Event-ID``; InvalidInput when it is not one of ours."""
    if not value:
        return None
    micros, _, notice_id = value.strip().partition(".")
    if not micros.isdigit() or len(micros) > 20 or not notice_id.isalnum() or len(notice_id) > 64:
        raise InvalidInput("Last-Event-ID is not an event id of this stream")
    return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC), notice_id


def frame(event: str, data: Any, ident: str | None = None) -> str:
    """One SSE frame."""
    head = f"id: {ident}\n" if ident else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def notice_out(stored: StoredNotice) -> dict[str, Any]:
    """A notice as the ``join_button`` event's data."""
    n = stored.notice
    return {
        "notice_id": stored.id,
        "kind": n.kind.value,
        "meeting_id": n.meeting_id,
        "title": n.title,
        "start": iso(n.start),
        "end": iso(n.end),
        "join_target": target_out(n.target),
        "sent_at": iso(n.sent_at),
    }


class EventStream:
    """One client's stream."""

    def __init__(
        self,
        stores: Stores,
        clock: Clock,
        broadcaster: Broadcaster,
        target: StreamTarget,
        cursor: Cursor | None,
        settings: StreamSettings | None = None,
        timer: Clock | None = None,
    ) -> None:
        self._stores, self._clock, self._broadcaster = stores, clock, broadcaster
        self._target, self._resume = target, cursor
        self._since: datetime | None = cursor[0] if cursor else None
        self._sent: set[str] = set()  # the notices this connection has looked at (sent, or over already)
        self._settings = settings or StreamSettings()
        self._timer = timer or SystemClock()  # real time bounds the connection, whatever the service clock says
        self._presence: dict[str, Any] | None = None
        self._states: dict[str, str] = {}

    def _new_notices(self) -> list[StoredNotice]:
        """The notices not looked at yet on this connection (after the client's ``Last-Event-ID``).

        A dispatch run stamps its notices with the time it decided and commits them after: a poll in
        between sees none of them. So each poll reads back ``LATE`` before the last poll and leaves out
        what this connection has looked at already, instead of reading on from where it stopped.
        """
        t = self._target
        now = self._clock.now()
        found = self._stores.notices.notices_for(t.org_id, t.kind, t.recipient_id, since=self._since)
        resume, sent = self._resume, self._sent
        fresh = [s for s in found if s.id not in sent and (resume is None or (s.notice.sent_at, s.id) > resume)]
        sent.update(s.id for s in fresh)
        since = now - LATE
        if self._since is None or since > self._since:
            self._since = since
        return [s for s in fresh if s.notice.end > now]

    def _states_change(self) -> dict[str, Any] | None:
        among = self._target.presence_among
        if not among:
            return None
        now = {e: s.value for e, s in states(self._target.org_id, self._stores.presence, among).items()}
        changed = [{"email": e, "status": s} for e, s in now.items() if self._states.get(e) != s]
        self._states = now
        return {"people": changed} if changed else None

    def _presence_change(self) -> dict[str, Any] | None:
        principal_id = self._target.presence_of
        if principal_id is None:
            return self._states_change()
        current = self._stores.presence.get_presence(self._target.org_id, principal_id)
        view = presence_out(current or Presence(org_id=self._target.org_id, principal_id=principal_id))
        if view == self._presence:
            return None
        self._presence = view
        return view

    def __iter__(self) -> Iterator[str]:
        """The frames, until the lifetime ends, the process shuts down or the client goes away."""
        self._broadcaster.opened(1)
        try:
            yield from self._frames()
        finally:
            self._broadcaster.opened(-1)

    def _frames(self) -> Iterator[str]:
        s = self._settings
        start = last_beat = self._timer.monotonic()
        generation = self._broadcaster.generation
        yield f"retry: {s.retry_ms}\n\n"
        while not self._broadcaster.closed:
            try:
                for stored in self._new_notices():
                    yield frame("join_button", notice_out(stored), event_id(stored))
                presence = self._presence_change()
            except HybridCalendarError as exc:
                log.warning("stream stopped", extra=ctx(org=self._target.org_id, error_code=exc.code))
                return
            if presence is not None:
                yield frame("presence", presence)
            now = self._timer.monotonic()
            if now - start >= s.lifetime:
                break
            if now - last_beat >= s.heartbeat:
                last_beat = now
                yield ": heartbeat\n\n"
            generation = self._broadcaster.wait(generation, min(s.poll, s.lifetime - (now - start)))
        yield frame("bye", {"reconnect": True})


def stream_response(api: AppApi, request: flask.Request, header: StreamHeader, target: StreamTarget) -> flask.Response:
    """The Server-Sent Events answer for ``target``, resumed after ``Last-Event-ID`` (header or query)."""
    cursor = parse_cursor(header.last_event_id or request.args.get("lastEventId"))
    events = EventStream(api.stores, api.clock, api.broadcaster, target, cursor, api.streams)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return flask.Response(iter(events), mimetype="text/event-stream", headers=headers)
