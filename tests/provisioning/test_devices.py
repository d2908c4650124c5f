"""Room devices after activation: list, add, rotate and revoke through the admin API and `rooms devices`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from werkzeug.test import Client

from shared.documents import Query
from tests.e2e.test_sync_pipeline import ALICE
from tests.provisioning.conftest import Cli, admin
from tests.support.world import ROOMS, World

ROOM = ROOMS[0]["email"]
DEVICES = f"/orgs/example-com/principals/{ROOM}/devices"


def _json(response: Any) -> Any:
    return json.loads(response.get_data(as_text=True))


def _device_status(world: World, device_id: str, token: str) -> int:
    """The app API's answer to a device asking for its room's meetings."""
    headers = {"Authorization": f"Device {token}"}
    return Client(world.runtime).get(f"/v1/devices/{device_id}/meetings", headers=headers).status_code


def _room(world: World, devices: list[str]) -> list[dict[str, Any]]:
    answer = admin(world)("POST", "/orgs/example-com/principals", {"email": ROOM, "kind": "room", "devices": devices})
    assert answer.status_code == 202
    world.settle()
    return list(_json(answer)["devices"])


def test_add_rotate_and_revoke_change_which_tokens_work(world: World) -> None:
    """An added device's token works; after rotation only the new one does; after revocation none does."""
    call = admin(world)
    [first] = _room(world, ["Board"])
    assert _device_status(world, first["id"], first["token"]) == 200
    added = call("POST", DEVICES, {"name": "Lobby display"})
    assert added.status_code == 201
    lobby = _json(added)
    assert lobby["name"] == "Lobby display" and len(lobby["token"]) == 43
    assert _device_status(world, lobby["id"], lobby["token"]) == 200
    rotated = _json(call("POST", f"{DEVICES}/{lobby['id']}:rotate"))
    assert rotated["id"] == lobby["id"] and rotated["token"] != lobby["token"]
    assert _device_status(world, lobby["id"], lobby["token"]) == 401
    assert _device_status(world, lobby["id"], rotated["token"]) == 200
    revoked = call("DELETE", f"{DEVICES}/{first['id']}")
    assert revoked.status_code == 200 and _json(revoked)["name"] == "Board"
    assert _device_status(world, first["id"], first["token"]) == 401
    listed = _json(call("GET", DEVICES))["devices"]
    assert [(d["id"], d["name"]) for d in listed] == [(lobby["id"], "Lobby display")]
    assert listed[0]["rotated_at"] and listed[0]["created_at"]


def test_tokens_are_never_listed_and_stored_only_as_hashes(world: World) -> None:
    """Listings and `GET` of the room carry no token; the store holds each token's SHA-256 and nothing else of it."""
    [device] = _room(world, ["Board"])
    call = admin(world)
    token = device["token"]
    listing = call("GET", DEVICES).get_data(as_text=True)
    shown = _json(call("GET", f"/orgs/example-com/principals/{ROOM}"))
    assert token not in listing and "token" not in listing
    assert [d["name"] for d in shown["devices"]] == ["Board"] and token not in json.dumps(shown)
    docs = list(world.app.documents.query(Query("devices")))
    assert [d.data["tokenHash"] for d in docs] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in json.dumps(d.data, default=str) for d in docs)


def test_bad_device_requests_are_clear_4xx(world: World) -> None:
    """A person has no devices (400), another room's device is 404, a blank name is 400, the 21st device is 409."""
    call = admin(world)
    [device] = _room(world, ["Board"])
    world.activate(ALICE)
    assert call("GET", f"/orgs/example-com/principals/{ALICE}/devices").status_code == 400
    other = _json(call("POST", "/orgs/example-com/principals", {"email": "room-2@example.com", "kind": "room"}))
    world.settle()
    assert other["email"] == "room-2@example.com"
    elsewhere = f"/orgs/example-com/principals/room-2@example.com/devices/{device['id']}"
    assert call("DELETE", elsewhere).status_code == 404 and call("POST", f"{elsewhere}:rotate").status_code == 404
    assert call("DELETE", f"{DEVICES}/nope").status_code == 404
    assert call("POST", DEVICES, {"name": " "}).status_code == 400
    assert call("POST", DEVICES, {"name": "x", "token": "mine"}).status_code == 400
    for n in range(19):
        assert call("POST", DEVICES, {"name": f"Screen {n}"}).status_code == 201
    full = call("POST", DEVICES, {"name": "One too many"})
    assert full.status_code == 409 and "at most 20" in _json(full)["error"]["message"]
    assert _device_status(world, device["id"], device["token"]) == 200  # nothing already stored was lost


def test_devices_of_a_deactivated_room_are_gone_and_cannot_be_added(world: World) -> None:
    """Deactivation deletes the room's devices (their tokens stop) and adding one afterwards is a 409."""
    call = admin(world)
    [device] = _room(world, ["Board"])
    assert call("DELETE", f"/orgs/example-com/principals/{ROOM}").status_code == 202
    world.settle()
    assert _device_status(world, device["id"], device["token"]) == 401
    assert call("POST", DEVICES, {"name": "Again"}).status_code == 409
    assert _json(call("GET", f"/orgs/example-com/principals/{ROOM}"))["devices"] == []


def test_the_devices_commands(cli: Cli) -> None:
    """`rooms devices add|list|rotate|revoke` print a token once, list ids and names only; `rooms show` lists them."""
    assert cli("rooms", "activate", "example-com", ROOM).exit_code == 0
    cli.world.settle()
    added = cli("rooms", "devices", "add", "example-com", ROOM, "Lobby display")
    assert added.exit_code == 0 and "shown once" in added.stdout
    _, device_id, token = added.stdout.splitlines()[-1].rsplit(maxsplit=2)
    assert len(token) == 43 and _device_status(cli.world, device_id, token) == 200
    listed = cli("rooms", "devices", "list", "example-com", ROOM)
    assert listed.exit_code == 0 and device_id in listed.stdout and "Lobby display" in listed.stdout
    assert token not in listed.stdout
    shown = cli("rooms", "show", "example-com", ROOM)
    assert device_id in shown.stdout and token not in shown.stdout
    rotated = cli.json("rooms", "devices", "rotate", "example-com", ROOM, device_id)
    assert rotated["id"] == device_id and _device_status(cli.world, device_id, rotated["token"]) == 200
    assert _device_status(cli.world, device_id, token) == 401
    revoked = cli("rooms", "devices", "revoke", "example-com", ROOM, device_id)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert cli.json("rooms", "devices", "list", "example-com", ROOM) == {"devices": []}
    missing = cli("rooms", "devices", "revoke", "example-com", ROOM, device_id)
    assert missing.exit_code == 1 and "no such device" in missing.stderr
    person = cli("rooms", "devices", "list", "example-com", ALICE)
    assert person.exit_code == 1 and "no such principal" in person.stderr
