"""The admin API's device routes: list, add, rotate and revoke the devices of a room.

``GET|POST /admin/v1/orgs/{org}/principals/{email}/devices``,
``POST .../devices/{device_id}:rotate`` and ``DELETE .../devices/{device_id}``. A token is in the
answer of add and rotate only, once; listings never carry one.
"""

from __future__ import annotations

from typing import Any

import flask

from shared.api.admin_models import DeviceCreate, DeviceList, DeviceOut, DeviceTokenOut
from shared.api.admin_routing import action, admin_op
from shared.api.http import respond
from shared.api.params import DeviceOfRoomPath, PrincipalPath
from shared.domain.principals import Device
from shared.services.devices import IssuedToken
from shared.services.provisioning import ProvisioningService

DEVICES = "/admin/v1/orgs/<org>/principals/<email>/devices"


def device_view(device: Device) -> dict[str, Any]:
    """The JSON form of a device: never its token."""
    return {"id": device.id, "name": device.name, "created_at": device.created_at, "rotated_at": device.rotated_at}


def _issued(issued: IssuedToken) -> dict[str, Any]:
    return {"id": issued.device.id, "name": issued.device.name, "token": issued.token}


@admin_op("GET", DEVICES, "listDevices", 200, DeviceList)
def list_devices(service: ProvisioningService, path: PrincipalPath) -> flask.Response:
    """List a room's devices (never their tokens).

    A room's devices.
    """
    return respond({"devices": [device_view(d) for d in service.devices.of_room(path.org, path.email)]})


@admin_op("POST", DEVICES, "addDevice", 201, DeviceTokenOut)
def add_device(service: ProvisioningService, path: PrincipalPath, body: DeviceCreate) -> flask.Response:
    """Add a device to a room; its token is in this answer only.

    Add a device; its token is in this answer only.
    """
    return respond(_issued(service.devices.add(path.org, path.email, body.name)), 201)


@admin_op("POST", action(DEVICES, "device_id", "rotate"), "rotateDevice", 200, DeviceTokenOut)
def rotate_device(service: ProvisioningService, path: DeviceOfRoomPath) -> flask.Response:
    """Give a device a new token (in this answer only); the old token stops working.

    Give a device a new token (in this answer only); the old one stops working.
    """
    return respond(_issued(service.devices.rotate(path.org, path.email, path.device_id)))


@admin_op("DELETE", f"{DEVICES}/<device_id>", "revokeDevice", 200, DeviceOut)
def revoke_device(service: ProvisioningService, path: DeviceOfRoomPath) -> flask.Response:
    """Revoke a device: it is deleted and its token stops working.

    Revoke a device: it is deleted and its token stops working.
    """
    return respond(device_view(service.devices.revoke(path.org, path.email, path.device_id)))
