"""calendar_webhook through functions-framework: validation, hand-off, coalescing, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import functions_framework
import pytest
from flask.testing import FlaskClient

from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build, set_app
from shared.clock import ManualClock
from shared.config import Settings
from shared.domain.sync import ChannelState, SyncState, WatchChannel
from shared.domain.tokens import token_hash
from shared.ports import BusMessage
from shared.ports.messages import StopChannel, SyncCalendar
from shared.runtime.server import main_source
from shared.topics import CALENDAR_SYNC
from tests.support.counting import CountingDocuments

TOKEN = "s3cret-channel-token"


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> Iterator[App]:
    application = build(settings, clock=clock, bus=LocalBus(workers=1))
    set_app(application)
    application.stores.channels.put_channel(
        WatchChannel(
            id="chan-1",
            org_id="o1",
            principal_id="p1",
            resource_id="res-1",
            token_hash=token_hash(TOKEN),
            expiration=clock.now() + timedelta(days=7),
        )
    )
    yield application
    set_app(None)
    application.close()


@pytest.fixture
def published(app: App) -> list[BusMessage]:
    got: list[BusMessage] = []
    app.bus.subscribe(CALENDAR_SYNC, got.append)
    return got


@pytest.fixture
def client(app: App) -> FlaskClient:
    """The webhook as Cloud Functions loads it, with the test's app installed (never one built from the environment)."""
    return functions_framework.create_app(target="calendar_webhook", source=main_source()).test_client()


def _headers(state: str = "exists", token: str = TOKEN, channel: str = "chan-1", number: int = 5) -> dict[str, str]:
    return {
        "X-Goog-Channel-ID": channel,
        "X-Goog-Channel-Token": token,
        "X-Goog-Resource-ID": "res-1",
        "X-Goog-Resource-State": state,
        "X-Goog-Message-Number": str(number),
        "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/x/events",
    }


def _drain(app: App) -> None:
    assert app.bus.wait_idle(5)  # type: ignore[attr-defined]


def test_change_publishes_one_sync_with_ordering_key(
    client: FlaskClient, app: App, published: list[BusMessage]
) -> None:
    """An `exists` notification publishes one SyncCalendar keyed by the calendar, with channel attributes."""
    response = client.post("/", headers=_headers())
    assert response.status_code == 200 and response.get_json() == {"result": "published"}
    _drain(app)
    assert len(published) == 1
    message = published[0]
    assert message.ordering_key == "o1/p1"
    assert dict(message.attributes) == {"channel_id": "chan-1", "reason": "notification", "message_number": "5"}
    decoded = SyncCalendar.decode(message.data)
    assert (decoded.org_id, decoded.principal_id, decoded.message_number) == ("o1", "p1", 5)


def test_burst_coalesces_until_the_sync_starts(
    client: FlaskClient, app: App, published: list[BusMessage], clock: ManualClock
) -> None:
    """Ten notifications while a sync is pending publish one message; once the sync takes the lease, a new one."""
    for n in range(10):
        assert client.post("/", headers=_headers(number=n)).status_code == 200
    _drain(app)
    assert len(published) == 1
    _state, version = app.stores.sync_states.get_sync_state("o1", "p1")
    app.stores.sync_states.put_sync_state(
        SyncState(org_id="o1", principal_id="p1", lease_owner="w", pending=False), if_version=version, create=False
    )
    assert client.post("/", headers=_headers(number=11)).get_json() == {"result": "published"}
    clock.advance(timedelta(minutes=11))  # a pending flag that went stale no longer holds work back
    assert client.post("/", headers=_headers(number=12)).get_json() == {"result": "published"}
    _drain(app)
    assert len(published) == 3


def test_each_notification_reads_the_channel_and_the_state_once_and_writes_at_most_the_flag(
    client: FlaskClient, app: App, published: list[BusMessage]
) -> None:
    """A first notification reads channel and state and writes the state once; a coalesced one writes nothing."""
    counted = CountingDocuments(app.stores.backend.documents)
    app.stores.backend.documents = counted
    state_path, channel_path = "orgs/o1/syncStates/p1", "channels/chan-1"
    assert client.post("/", headers=_headers(number=1)).get_json() == {"result": "published"}
    assert counted.reads == [channel_path, state_path] and counted.writes == [state_path]
    counted.clear()
    assert client.post("/", headers=_headers(number=2)).get_json() == {"result": "coalesced"}
    assert counted.reads == [channel_path, state_path] and counted.writes == []
    _state, version = app.stores.sync_states.get_sync_state("o1", "p1")
    app.stores.sync_states.put_sync_state(
        SyncState(org_id="o1", principal_id="p1", pending=False), if_version=version, create=False
    )
    counted.clear()  # a stored state with no pending flag: the flag is a compare-and-set at its version
    assert client.post("/", headers=_headers(number=3)).get_json() == {"result": "published"}
    assert counted.reads == [channel_path, state_path] and counted.writes == [state_path]
    _drain(app)
    assert len(published) == 2


def test_sync_handshake_costs_nothing(client: FlaskClient, app: App, published: list[BusMessage]) -> None:
    """The `sync` message on a new channel is answered 200 and publishes nothing."""
    assert client.post("/", headers=_headers(state="sync")).get_json() == {"result": "sync_handshake"}
    _drain(app)
    assert published == []


def test_forged_token_is_403_and_publishes_nothing(client: FlaskClient, app: App, published: list[BusMessage]) -> None:
    """A wrong or missing channel token is refused and nothing is published."""
    assert client.post("/", headers=_headers(token="forged")).status_code == 403
    headers = _headers()
    del headers["X-Goog-Channel-Token"]
    assert client.post("/", headers=headers).status_code == 403
    _drain(app)
    assert published == []


@pytest.mark.parametrize("missing", ["X-Goog-Channel-ID", "X-Goog-Resource-ID", "X-Goog-Resource-State"])
def test_missing_channel_headers_are_400(client: FlaskClient, missing: str) -> None:
    """A notification without its channel headers is a 400 with a JSON body."""
    headers = _headers()
    del headers[missing]
    response = client.post("/", headers=headers)
    assert response.status_code == 400 and response.get_json() == {"result": "missing_channel_headers"}


def test_oversized_body_is_400(client: FlaskClient, published: list[BusMessage], app: App) -> None:
    """A body over 4 KB is refused before any work."""
    response = client.post("/", headers=_headers(), data=b"x" * 5000)
    assert response.status_code == 400
    _drain(app)
    assert published == []


def test_unknown_and_stopped_channels(
    client: FlaskClient, app: App, published: list[BusMessage], clock: ManualClock
) -> None:
    """An unknown channel is 200 with no work; a stopped one is 200 and asks for a channels.stop."""
    assert client.post("/", headers=_headers(channel="never-seen")).get_json() == {"result": "unknown_channel"}
    app.stores.channels.put_channel(
        WatchChannel(
            id="old",
            org_id="o1",
            principal_id="p1",
            resource_id="res-1",
            token_hash=token_hash(TOKEN),
            expiration=clock.now(),
            state=ChannelState.STOPPED,
        )
    )
    assert client.post("/", headers=_headers(channel="old")).get_json() == {"result": "unknown_channel"}
    _drain(app)
    stops = [StopChannel.decode(m.data) for m in published]
    assert [(s.channel_id, s.resource_id, s.ordering_key) for s in stops] == [("old", "res-1", "o1/p1")]


def test_publish_failure_is_503_and_clears_pending(client: FlaskClient, app: App) -> None:
    """When the bus refuses the message the webhook answers 5xx (Google retries) and leaves no pending flag."""
    app.bus.close()
    response = client.post("/", headers=_headers())
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    state, _ = app.stores.sync_states.get_sync_state("o1", "p1")
    assert state.pending is False


def test_get_is_405(client: FlaskClient) -> None:
    """Only POST is a notification."""
    assert client.get("/").status_code == 405
