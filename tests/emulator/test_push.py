"""Push notifications: headers, message numbers, faults, expiry, stop, in-process delivery."""

from __future__ import annotations

from typing import Any

from emulator import testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.state import EmulatorState
from tests.emulator.conftest import ANN, BOB, Api, Receiver, seed, timed, wait_until

EVENTS = "/calendar/v3/calendars/{}/events"


def watch(
    api: Api, address: str, channel_id: str = "c1", subject: str = ANN, calendar: str = "primary", **extra: Any
) -> dict[str, Any]:
    """Open a channel and return the api#channel answer."""
    body = {"id": channel_id, "type": "web_hook", "address": address, **extra}
    response = api.call("POST", EVENTS.format(calendar) + "/watch", subject, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_headers_and_increasing_numbers(api: Api, receiver: Receiver) -> None:
    """Every push carries the X-Goog headers, an empty body and increasing numbers."""
    channel = watch(api, receiver.url, token="tok-1", params={"ttl": "600"})
    for day in (1, 2, 3):
        api.insert(timed(f"2024-05-0{day}T10:00:00", f"2024-05-0{day}T11:00:00"))
    assert api.state.wait_for_push_idle(5)
    messages = receiver.messages()
    assert [m["headers"]["x-goog-message-number"] for m in messages] == ["1", "2", "3", "4"]
    first = messages[0]["headers"]
    assert first["x-goog-resource-state"] == "sync"
    assert first["x-goog-channel-id"] == "c1"
    assert first["x-goog-channel-token"] == "tok-1"
    assert first["x-goog-resource-id"] == channel["resourceId"]
    assert first["x-goog-resource-uri"] == channel["resourceUri"]
    assert first["x-goog-channel-expiration"].endswith("GMT")
    assert {m["body"] for m in messages} == {b""}
    assert {m["headers"]["x-goog-resource-state"] for m in messages[1:]} == {"exists"}


def test_attendee_calendar_channel_sees_organiser_changes(api: Api, receiver: Receiver) -> None:
    """A channel on a guest's calendar is notified when the organiser changes the event."""
    watch(api, receiver.url, "bob-chan", BOB)
    event = api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00", attendees=[{"email": BOB}]))
    api.call("PATCH", EVENTS.format("primary") + f"/{event['id']}", json={"summary": "New"})
    assert api.state.wait_for_push_idle(5)
    assert [m["headers"]["x-goog-message-number"] for m in receiver.messages()] == ["1", "2", "3"]


def test_drop_and_duplicate_faults(api: Api, receiver: Receiver) -> None:
    """Dropped pushes leave gaps in the numbers; duplicated ones repeat a number."""
    watch(api, receiver.url)
    api.control.set_faults("*", pushDropRate=1.0)
    api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
    api.control.set_faults("*", pushDuplicateRate=1.0)
    api.insert(timed("2024-05-02T10:00:00", "2024-05-02T11:00:00"))
    assert api.state.wait_for_push_idle(5)
    numbers = [m["headers"]["x-goog-message-number"] for m in receiver.messages()]
    assert numbers == ["1", "3", "3"]
    records = api.control.pushes()
    assert [r["error"] for r in records if r["error"]] == ["dropped"]


def test_expired_channel_stops_receiving(api: Api, receiver: Receiver) -> None:
    """Once the emulator clock passes the expiration, the channel gets nothing more."""
    channel = watch(api, receiver.url, params={"ttl": "60"})
    clock_ms = api.control.clock()["epochMs"]
    assert abs(int(channel["expiration"]) - (clock_ms + 60_000)) < 2_000
    api.control.set_clock(advance_seconds=61)
    api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
    assert api.state.wait_for_push_idle(5)
    assert len(receiver.messages()) == 1
    assert api.control.channels()[0]["expired"] is True


def test_duplicate_channel_id_and_bad_channel(api: Api, receiver: Receiver) -> None:
    """A reused channel id is 400 channelIdNotUnique; a bad type or address is 400."""
    watch(api, receiver.url)
    again = api.call(
        "POST", EVENTS.format("primary") + "/watch", json={"id": "c1", "type": "web_hook", "address": receiver.url}
    )
    assert again.json()["error"]["errors"][0]["reason"] == "channelIdNotUnique"
    bad = api.call(
        "POST", EVENTS.format("primary") + "/watch", json={"id": "c2", "type": "email", "address": receiver.url}
    )
    assert bad.status_code == 400
    no_address = api.call("POST", EVENTS.format("primary") + "/watch", json={"id": "c3", "type": "web_hook"})
    assert no_address.status_code == 400


def test_delivery_failure_is_recorded(api: Api, receiver: Receiver) -> None:
    """A receiver answering 500 shows up in the push records with its status."""
    receiver.status = 500
    watch(api, receiver.url)
    records = api.control.pushes(wait_seconds=5)
    assert [r["status"] for r in records] == [500]


def test_in_process_push_transport() -> None:
    """Pushes can be delivered to an in-process WSGI app through an injected transport."""
    got: list[dict[str, str]] = []

    def hook(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        got.append({k: v for k, v in environ.items() if k.startswith("HTTP_X_GOOG")})
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    state = EmulatorState(push_transport=testing.transport(hook))
    try:
        app = create_app(state)
        key = seed(ControlClient(transport=testing.transport(app)))
        api = Api(app, state, key)
        watch(api, "http://hooks.test/calendar_webhook")
        api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
        assert wait_until(lambda: len(got) == 2)
        assert state.wait_for_push_idle(5)
        assert [g["HTTP_X_GOOG_RESOURCE_STATE"] for g in got] == ["sync", "exists"]
    finally:
        state.close()


def test_counts_say_how_many_pushes_were_queued_sent_and_waiting(api: Api, receiver: Receiver) -> None:
    """The dispatcher counts every queued (duplicates too, dropped ones not) and sent push, and keeps counting."""
    assert api.state.push.counts() == {"enqueued": 0, "sent": 0, "queued": 0}
    watch(api, receiver.url)
    api.control.set_faults("*", pushDropRate=1.0)
    api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
    api.control.set_faults("*", pushDropRate=0.0, pushDuplicateRate=1.0)
    api.insert(timed("2024-05-02T10:00:00", "2024-05-02T11:00:00"))
    assert api.state.wait_for_push_idle(5)
    assert api.state.push.counts() == {"enqueued": 3, "sent": 3, "queued": 0}
    answer = api.control._call("GET", "/pushes")
    assert answer["counts"] == {"enqueued": 3, "sent": 3, "queued": 0} and len(answer["items"]) == 4
    api.state.push.clear()
    assert api.state.push.counts()["sent"] == 3  # forgetting the records does not rewind the counts
