"""Room displays: the presence state of the org's people on the room's meetings, by read and on the stream."""

from __future__ import annotations

from datetime import timedelta

import httpx

from shared.api.app_stream import StreamSettings
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.ports.messages import PresenceChanged
from shared.topics import PRESENCE_CHANGED
from tests.app.conftest import ALICE, BOB, CAROL, ROOM, ROOM2, T0, ZED, AppWorld
from tests.app.test_streams import open_stream, served  # noqa: F401  (the fixture)


def set_presence(aw: AppWorld, email: str, status: PresenceStatus, message: str = "") -> None:
    """Store someone's presence and announce the change, as the presence worker does."""
    org = aw.world.org.id
    pid = aw.app.stores.principals.principal_id(org, email)
    source = PresenceSource.GMAIL_VACATION if status is PresenceStatus.OUT_OF_OFFICE else PresenceSource.CALENDAR_EVENT
    aw.app.stores.presence.put_presence(Presence(org, pid, status, message, T0, None, source, "office|Berlin 4F"))
    aw.app.bus.publish(PRESENCE_CHANGED, PresenceChanged(org_id=org, principal_id=pid).encode())


def test_a_device_reads_the_states_of_its_meetings_org_people_only(aw: AppWorld) -> None:
    """Room A sees Alice's state (no message, no place), nothing of outsiders, unactivated or room B's people."""
    aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(ROOM, CAROL, ZED))
    aw.meeting(BOB, T0 + timedelta(hours=2), guests=(ROOM2,))
    set_presence(aw, ALICE, PresenceStatus.OUT_OF_OFFICE, "Back on Monday")
    set_presence(aw, BOB, PresenceStatus.DO_NOT_DISTURB)
    device_a, headers_a = aw.device(ROOM)
    answer = aw.get(f"/v1/devices/{device_a}/presence", headers_a)
    assert answer.status_code == 200
    assert answer.json["people"] == [{"email": ALICE, "status": "out_of_office"}]
    assert "Back on Monday" not in answer.get_data(as_text=True) and "Berlin" not in answer.get_data(as_text=True)
    device_b, headers_b = aw.device(ROOM2)
    assert aw.get(f"/v1/devices/{device_b}/presence", headers_b).json["people"] == [
        {"email": BOB, "status": "do_not_disturb"}
    ]
    refused = aw.get(f"/v1/devices/{device_a}/presence", headers_b)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert aw.get(f"/v1/devices/{device_a}/presence", aw.user(ALICE)).status_code == 403
    bad = aw.get(f"/v1/devices/{device_a}/presence?days=99", headers_a)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_input"


def test_a_private_meetings_invitees_give_the_display_nothing(aw: AppWorld) -> None:
    """A private meeting hides its invitees from devices, so their presence is not given either."""
    event = aw.meeting(BOB, T0 + timedelta(hours=1), guests=(ROOM,))
    aw.patch(BOB, event["id"], {"visibility": "private"})
    device_a, headers_a = aw.device(ROOM)
    assert aw.get(f"/v1/devices/{device_a}/presence", headers_a).json["people"] == []


def test_an_attendees_presence_change_reaches_the_device_stream(aw: AppWorld, served: str) -> None:  # noqa: F811
    """The stream starts with every person's state, then sends a frame with only the one who changed."""
    aw.app.meetings_api.streams = StreamSettings(poll=60.0, heartbeat=60.0)
    aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(ROOM, BOB, ZED))
    device_id, headers = aw.device(ROOM)
    frames = open_stream(f"{served}/v1/devices/{device_id}/stream", headers)
    assert frames.next("status")[0] == 200
    first = frames.next("presence")[0]["people"]
    assert sorted(first, key=lambda p: p["email"]) == [
        {"email": ALICE, "status": "available"},
        {"email": BOB, "status": "available"},
    ]
    set_presence(aw, BOB, PresenceStatus.IN_MEETING)
    assert frames.next("presence", timeout=5)[0] == {"people": [{"email": BOB, "status": "in_meeting"}]}
    other = httpx.get(f"{served}/v1/devices/{device_id}/stream", headers=aw.device(ROOM2)[1])
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"


def test_an_org_turns_the_marks_off_for_its_room_displays(aw: AppWorld) -> None:
    """With room_display_presence off (admin PATCH) a device reads nobody; a non-boolean is a 400 JSON."""
    aw.meeting(ALICE, T0 + timedelta(hours=1), guests=(ROOM,))
    set_presence(aw, ALICE, PresenceStatus.DO_NOT_DISTURB)
    device_a, headers_a = aw.device(ROOM)
    assert aw.get(f"/v1/devices/{device_a}/presence", headers_a).json["people"] != []
    admin = {"Authorization": "Bearer admin"}
    org = f"/admin/v1/orgs/{aw.world.org.id}"
    bad = aw.client.patch(org, json={"room_display_presence": "no"}, headers=admin)
    assert bad.status_code == 400 and "error" in bad.json
    changed = aw.client.patch(org, json={"room_display_presence": False}, headers=admin)
    assert changed.status_code == 200 and changed.json["room_display_presence"] is False
    assert aw.get(f"/v1/devices/{device_a}/presence", headers_a).json["people"] == []
