"""The admin API's device routes: list, add, rotate and revoke the devices of a room.

``GET|POST /admin/v1/orgs/{org}/principals/{email}/devices``,
``POST .../devices/{device_id}:rotate`` and ``DELETE .../devices/{device_id}``. A token is in the
answer of add and rotate only, once; listings never carry one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from pydantic import BaseModel

from shared.api.admin_models import DeviceCreate, DeviceList, DeviceOut, DeviceTokenOut
from shared.api.http import respond
from shared.api.params import DeviceOfRoomPath, PrincipalPath
from shared.api.routing import Api
from shared.domain.principals import Device
from shared.services.devices import IssuedToken
from shared.services.provisioning import ProvisioningService

DEVICES = "/admin/v1/orgs/<org>/principals/<email>/devices"
ADMIN: list[dict[str, list[str]]] = [{"adminToken": []}]
View = Callable[..., flask.Response]
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
ERRORS = {
    "400": {"description": "Bad input: malformed JSON, email or settings.", "content": _ERROR},
    "401": {"description": "No or wrong admin credentials.", "content": _ERROR},
    "404": {"description": "Unknown org, principal or device (or one of another org).", "content": _ERROR},
    "409": {
        "description": "Already exists, already active or deactivated, or validation already running.",
        "content": _ERROR,
    },
}
_ANY = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}


def admin_op(
    api: Api, method: str, path: str, operation_id: str, summary: str, status: int, ok: type[BaseModel] | None
) -> Callable[[View], View]:
    """Add a documented admin view (the function checked the admin token before routing)."""
    responses = {str(status): ok or _ANY, **ERRORS}
    return api.route(method, path, operation_id=operation_id, summary=summary, responses=responses, security=ADMIN)


_ROUTES: list[tuple[str, str, str, str, int, type[BaseModel], View]] = []


def _route(
    method: str, path: str, operation_id: str, summary: str, status: int, ok: type[BaseModel]
) -> Callable[[View], View]:
    def remember(view: View) -> View:
        _ROUTES.append((method, path, operation_id, summary, status, ok, view))
        return view

    return remember


def register(api: Api) -> None:
    """Add the device routes to the admin API."""
    for method, path, operation_id, summary, status, ok, view in _ROUTES:
        admin_op(api, method, path, operation_id, summary, status, ok)(view)


def device_view(device: Device) -> dict[str, Any]:
    """The JSON form of a device: never its token."""
    return {"id": device.id, "name": device.name, "created_at": device.created_at, "rotated_at": device.rotated_at}


def _issued(issued: IssuedToken) -> dict[str, Any]:
    return {"id": issued.device.id, "name": issued.device.name, "token": issued.token}


@_route("GET", DEVICES, "listDevices", "List a room's devices (never their tokens).", 200, DeviceList)
def list_devices(service: ProvisioningService, path: PrincipalPath) -> flask.Response:
    """A room's devices."""
    return respond({"devices": [device_view(d) for d in service.devices.of_room(path.org, path.email)]})


@_route("POST", DEVICES, "addDevice", "Add a device to a room; its token is in this answer only.", 201, DeviceTokenOut)
def add_device(service: ProvisioningService, path: PrincipalPath, body: DeviceCreate) -> flask.Response:
    """Add a device; its token is in this answer only."""
    return respond(_issued(service.devices.add(path.org, path.email, body.name)), 201)


@_route(
    "POST",
    f"{DEVICES}/<string:device_id>:rotate",  # named converter: the library then reads the ":rotate" suffix right
    "rotateDevice",
    "Give a device a new token (in this answer only); the old token stops working.",
    200,
    DeviceTokenOut,
)
def rotate_device(service: ProvisioningService, path: DeviceOfRoomPath) -> flask.Response:
    """Give a device a new token (in this answer only); the old one stops working."""
    return respond(_issued(service.devices.rotate(path.org, path.email, path.device_id)))


@_route(
    "DELETE",
    f"{DEVICES}/<device_id>",
    "revokeDevice",
    "Revoke a device: it is deleted and its token stops working.",
    200,
    DeviceOut,
)
def revoke_device(service: ProvisioningService, path: DeviceOfRoomPath) -> flask.Response:
    """Revoke a device: it is deleted and its token stops working."""
    return respond(device_view(service.devices.revoke(path.org, path.email, path.device_id)))
