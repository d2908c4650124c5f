"""The main flows across the function processes, as a deployment runs them.

Each test starts from an empty topology at T0 with a new Workspace domain (tests/cloud/conftest.py).
Google's pushes reach calendar_webhook over HTTP, messages travel through the Pub/Sub emulator and
the harness's push, and every state change is waited for as a condition.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from shared.domain.joinblock import BLOCK_BEGIN
from shared.ports.messages import RewriteJoinDetails
from tests.cloud.support import Cloud


def _with_block(cloud: Cloud, who: str, event_id: str) -> bool:
    return BLOCK_BEGIN in (cloud.event(who, event_id).get("description") or "")


def _rewrite_barrier(cloud: Cloud) -> None:
    """Wait until every join-rewrite message published so far for the org's calendar was delivered."""
    first = cloud.topology.pusher.attempts("rewrite_join_details")[0]
    request = json.loads(first.data)
    marker = RewriteJoinDetails(org_id=request["org_id"], principal_id=request["principal_id"], event_id="barrier")
    cloud.topology.barrier("join-rewrite", "rewrite_join_details", marker.encode(), first.ordering_key)


def _keyword_event(cloud: Cloud) -> dict[str, Any]:
    cloud.create_org()
    cloud.active(cloud.alice)
    attendees = [{"email": cloud.alice}, {"email": cloud.bob}]
    created = cloud.create_event(cloud.alice, "Planung", 60, location="Raum 4 @webex", attendees=attendees)
    cloud.wait(lambda: _with_block(cloud, cloud.alice, created["id"]), "the join block at Google")
    return created


def test_org_creation_and_activation_reach_active_with_a_channel(cloud: Cloud) -> None:
    """admin_api creates the org (Cloud KMS over gRPC), provision_user validates via push, a channel opens."""
    org = cloud.create_org()
    assert org["domain"] == cloud.domain and org["credential"]["kind"] == "stored"
    principal = cloud.active(cloud.alice)
    assert principal["locale"] == "de" and principal["presence_enabled"] is True
    assert principal["channel_expiry"] is not None
    [channel] = cloud.channels(cloud.alice)
    assert channel["address"] == cloud.topology.urls["calendar_webhook"] + "/calendar_webhook"
    cloud.wait(lambda: bool(cloud.topology.pusher.attempts("provision_user")), "provision_user's answer")
    attempts = cloud.topology.pusher.attempts("provision_user")
    # one message, answered 200 at its first attempt; the broker may hand it over again (at least once,
    # seen once on a loaded machine), and every copy is answered 200 at once as well
    assert len({d.message_id for d in attempts}) == 1
    assert {(d.attempt, d.status) for d in attempts} == {(1, 200)}


def test_keyword_becomes_a_join_block_and_the_echo_costs_no_patch(cloud: Cloud) -> None:
    """`@webex` → Google's push → webhook → sync → rewrite → one PATCH; the echo of that PATCH patches nothing."""
    created = _keyword_event(cloud)
    description = cloud.event(cloud.alice, created["id"])["description"]
    assert "https://example.webex.com/meet/alice" in description and "Link zum Beitreten" in description
    assert "https://example.webex.com/meet/alice" in cloud.event(cloud.bob, created["id"])["description"]

    def echo_stored() -> bool:
        listed = {m["id"]: m for m in cloud.meetings(cloud.alice)}
        target = (listed.get(created["id"]) or {}).get("join_target") or {}
        return "example.webex.com/meet/alice" in str(target.get("uri"))

    cloud.wait(echo_stored, "the echo of the PATCH synced into the store")
    _rewrite_barrier(cloud)
    assert cloud.count("calendar.events.patch", cloud.alice) == 1
    rewrites = [
        d for d in cloud.topology.pusher.attempts("rewrite_join_details") if json.loads(d.data)["event_id"] != "barrier"
    ]
    assert [(json.loads(d.data)["event_id"], d.status) for d in rewrites] == [(created["id"], 200)]


def test_meetings_api_lists_the_meeting_for_an_id_token(cloud: Cloud) -> None:
    """The app's ID token opens meetings_api; the meeting comes with title, attendees and the join target."""
    created = _keyword_event(cloud)
    cloud.wait(lambda: any(m["id"] == created["id"] for m in cloud.meetings(cloud.alice)), "the meeting listed")
    [meeting] = [m for m in cloud.meetings(cloud.alice) if m["id"] == created["id"]]
    assert meeting["title"] == "Planung"
    assert {a["email"] for a in meeting["attendees"]} == {cloud.alice, cloud.bob}
    not_active = cloud.app(cloud.bob, "GET", "/v1/me/meetings?days=7")
    assert not_active.status_code == 403
    anonymous = httpx.get(cloud.topology.urls["meetings_api"] + "/v1/me/meetings", timeout=30)
    assert anonymous.status_code == 401


def test_removing_the_keyword_removes_the_block(cloud: Cloud) -> None:
    """Taking `@webex` out of the location takes the join block out of the description, with one more PATCH."""
    created = _keyword_event(cloud)
    cloud.patch_event(cloud.alice, created["id"], {"location": "Raum 4"})
    cloud.wait(lambda: not _with_block(cloud, cloud.alice, created["id"]), "the block removed at Google")
    assert cloud.count("calendar.events.patch", cloud.alice) == 3  # the user's patch and two of the service


def test_poll_vacations_then_check_vacation_sets_out_of_office(cloud: Cloud) -> None:
    """Cloud Scheduler fires poll_vacations; check_vacation reads the responder; presence is out of office."""
    cloud.create_org()
    cloud.active(cloud.alice)
    now = cloud.topology.clock.now()
    responder = {
        "enableAutoReply": True,
        "responseSubject": "Urlaub",
        "startTime": str(int((now - timedelta(hours=1)).timestamp() * 1000)),
        "endTime": str(int((now + timedelta(days=3)).timestamp() * 1000)),
    }
    cloud.topology.control.set_vacation(cloud.alice, responder)
    fired = cloud.topology.fire("poll_vacations")
    assert fired.status_code == 200 and fired.json() == {"batches": 1}

    def out_of_office() -> bool:
        return bool(cloud.app(cloud.alice, "GET", "/v1/me/presence").json()["status"] == "out_of_office")

    cloud.wait(out_of_office, "out-of-office presence")
    cloud.wait(lambda: bool(cloud.topology.pusher.attempts("check_vacation")), "check_vacation's answer")
    assert [d.status for d in cloud.topology.pusher.attempts("check_vacation")] == [200]


def test_dispatch_join_buttons_puts_a_join_button_on_the_users_stream(cloud: Cloud) -> None:
    """A meeting with a Meet link three minutes ahead: the scheduled dispatch's notice reaches /v1/me/stream."""
    cloud.create_org()
    cloud.active(cloud.alice)
    created = cloud.create_event(cloud.alice, "Stand-up", 3, location="https://meet.google.com/abc-defg-hij")
    cloud.wait(lambda: any(m["id"] == created["id"] for m in cloud.meetings(cloud.alice)), "the meeting stored")
    fired = cloud.topology.fire("dispatch_join_buttons")
    assert fired.status_code == 200 and fired.json()["sent"] == 1
    headers = {"Authorization": f"Bearer {cloud.topology.user_token(cloud.alice)}"}
    url = cloud.topology.urls["meetings_api"] + "/v1/me/stream"
    event, data = "", ""
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(60.0)) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "join_button":
                data = line.removeprefix("data: ")
                break
    notice = json.loads(data)
    assert (notice["kind"], notice["title"]) == ("join", "Stand-up")
    assert notice["join_target"]["uri"] == "https://meet.google.com/abc-defg-hij"


def test_deactivation_stops_channels_and_destroys_data_and_keys(cloud: Cloud) -> None:
    """DELETE of a principal: provision_user stops the channel at Google, deletes meetings, sync state and keys."""
    created = _keyword_event(cloud)
    cloud.wait(lambda: any(m["id"] == created["id"] for m in cloud.meetings(cloud.alice)), "the meeting stored")
    org = cloud.org_id
    assert cloud.topology.documents(f"orgs/{org}/meetings") and cloud.topology.documents(f"orgs/{org}/principalKeys")
    assert cloud.admin("DELETE", f"/admin/v1/orgs/{org}/principals/{cloud.alice}").status_code == 202
    cloud.wait_state(cloud.alice, "deactivated")
    assert cloud.channels(cloud.alice) == []
    for collection in ("meetings", "principalKeys", "syncStates", "presence", "notices"):
        assert cloud.topology.documents(f"orgs/{org}/{collection}") == [], collection


def test_maintain_channels_renews_a_channel_near_expiry(cloud: Cloud) -> None:
    """Six and a half days on, the scheduled maintenance opens a new channel first and then stops the old one."""
    cloud.create_org()
    cloud.active(cloud.alice)
    [old] = cloud.channels(cloud.alice)
    cloud.topology.clock.advance(timedelta(days=6, hours=12))
    cloud.topology.control.set_clock(advance_seconds=timedelta(days=6, hours=12).total_seconds())
    fired = cloud.topology.fire("maintain_channels")
    assert fired.status_code == 200, fired.text
    assert fired.json()["renewed"] == 1 and fired.json()["failures"] == []
    [new] = cloud.channels(cloud.alice)
    assert new["id"] != old["id"] and new["expiration"] > old["expiration"]
    assert cloud.count("calendar.channels.stop", cloud.alice) == 1


def test_every_function_process_writes_only_json_log_lines(cloud: Cloud) -> None:
    """After a keyword flow, every line any function process wrote is JSON with a severity."""
    _keyword_event(cloud)
    for name in cloud.topology.ports:
        for line in cloud.logs(name):
            assert line["severity"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), (name, line)
    handled = [line for line in cloud.logs("sync_calendar") if line["message"] == "message handled"]
    assert handled and all(line["function"] == "sync_calendar" and line["delivery_attempt"] >= 1 for line in handled)
    assert all(cloud.alice not in json.dumps(line) for name in cloud.topology.ports for line in cloud.logs(name))


def test_release_rooms_declines_a_no_show_room_at_google_once(cloud: Cloud) -> None:
    """A room nobody checked in to: release_rooms declines it with one patch through the delegate, then never again."""
    cloud.create_org(room_delegate=cloud.alice)
    rooms = [{"email": cloud.room, "name": "Room 1", "writers": [cloud.alice]}]
    cloud.topology.control.create_domain(cloud.domain, rooms=rooms)
    cloud.active(cloud.alice)
    cloud.activate(cloud.room, "room")
    cloud.wait_state(cloud.room, "active")
    put = cloud.admin("PUT", f"/admin/v1/orgs/{cloud.org_id}/room-release", json={"minutes": 10})
    assert put.status_code == 200 and put.json() == {"minutes": 10}
    created = cloud.create_event(cloud.alice, "Hold", 2, attendees=[{"email": cloud.room}])
    cloud.topology.clock.advance(timedelta(minutes=13))
    cloud.topology.control.set_clock(advance_seconds=13 * 60)
    patches = cloud.count("calendar.events.patch")
    released: list[int] = []

    def fired() -> bool:
        answer = cloud.topology.fire("release_rooms")
        assert answer.status_code == 200, answer.text
        released.append(answer.json()["released"])
        return sum(released) >= 1

    cloud.wait(fired, "the room released (once its meeting was synced)")
    assert sum(released) == 1
    assert cloud.topology.fire("release_rooms").json()["released"] == 0
    assert cloud.count("calendar.events.patch") == patches + 1
    entry = next(a for a in cloud.event(cloud.alice, created["id"])["attendees"] if a["email"] == cloud.room)
    assert entry["responseStatus"] == "declined"
