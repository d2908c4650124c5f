"""The admin API's device routes: list, add, rotate and revoke the devices of a room.

``GET|POST /admin/v1/orgs/{org}/principals/{email}/devices``,
``POST .../devices/{device_id}:rotate`` and ``DELETE .../devices/{device_id}``. A token is in the
answer of add and rotate only, once; listings never carry one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask

from shared.api.admin_models import DeviceCreate
from shared.api.http import Router, parse, respond
from shared.domain.principals import Device
from shared.ports import Stores
from shared.services.devices import IssuedToken
from shared.services.provisioning import ProvisioningService

DEVICES = "/admin/v1/orgs/<org_id>/principals/<email>/devices"
View = Callable[..., flask.Response]
_ROUTES: list[tuple[str, list[str], View]] = []


def _route(path: str, methods: list[str]) -> Callable[[View], View]:
    def remember(view: View) -> View:
        _ROUTES.append((path, methods, view))
        return view

    return remember


def register(router: Router) -> None:
    """Add the device routes to the admin router."""
    for path, methods, view in _ROUTES:
        router.route(path, methods)(view)


def device_view(device: Device) -> dict[str, Any]:
    """The JSON form of a device: never its token."""
    return {"id": device.id, "name": device.name, "created_at": device.created_at, "rotated_at": device.rotated_at}


def _issued(issued: IssuedToken) -> dict[str, Any]:
    return {"id": issued.device.id, "name": issued.device.name, "token": issued.token}


@_route(DEVICES, ["GET"])
def list_devices(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, email: str
) -> flask.Response:
    """A room's devices."""
    return respond({"devices": [device_view(d) for d in service.devices.of_room(org_id, email)]})


@_route(DEVICES, ["POST"])
def add_device(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, email: str
) -> flask.Response:
    """Add a device; its token is in this answer only."""
    body = parse(DeviceCreate, request)
    return respond(_issued(service.devices.add(org_id, email, body.name)), 201)


@_route(f"{DEVICES}/<device_id>:rotate", ["POST"])
def rotate_device(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, email: str, device_id: str
) -> flask.Response:
    """Give a device a new token (in this answer only); the old one stops working."""
    return respond(_issued(service.devices.rotate(org_id, email, device_id)))


@_route(f"{DEVICES}/<device_id>", ["DELETE"])
def revoke_device(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, email: str, device_id: str
) -> flask.Response:
    """Revoke a device: it is deleted and its token stops working."""
    return respond(device_view(service.devices.revoke(org_id, email, device_id)))
