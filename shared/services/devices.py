"""Room devices: list, add, rotate and revoke the displays and endpoints that show a room's meetings.

A device authenticates with ``Authorization: Device <token>``. The token is random, shown once
(when the device is added or its token rotated) and stored only as its SHA-256, so neither the
store nor the admin API can show it again; rotating replaces the hash (the old token stops at
once) and revoking deletes the device.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

import msgspec
from msgspec.structs import replace

from shared.domain.principals import Device, Principal, PrincipalKind
from shared.domain.tokens import token_hash
from shared.errors import Conflict, InvalidInput, NotFound
from shared.logs import ctx, get_logger
from shared.ports.clock import Clock
from shared.ports.stores import DeviceRepository

log = get_logger(__name__)
MAX_DEVICES = 20
MAX_NAME = 100


def new_device(room: Principal, name: str, now: datetime) -> tuple[Device, str]:
    """A new device of ``room`` and its token (the caller stores the device and shows the token once)."""
    token = secrets.token_urlsafe(32)
    device = Device(
        org_id=room.org_id,
        id=uuid.uuid4().hex,
        room_id=room.id,
        name=name,
        token_hash=token_hash(token),
        created_at=now,
    )
    return device, token


class IssuedToken(msgspec.Struct, frozen=True):
    """A device with the token just issued for it (shown once)."""

    device: Device
    token: str


class DeviceService:
    """Device management of one deployment's rooms, for the admin API."""

    def __init__(self, devices: DeviceRepository, clock: Clock, require_live: Callable[[str, str], Principal]) -> None:
        self._devices = devices
        self._clock, self._require_live = clock, require_live

    def room(self, org_id: str, email: str) -> Principal:
        """The room with this email (not deactivated); InvalidInput for a person."""
        room = self._require_live(org_id, email)
        if room.kind is not PrincipalKind.ROOM:
            raise InvalidInput("only rooms have devices")
        return room

    def of_room(self, org_id: str, email: str) -> list[Device]:
        """The room's devices, oldest first."""
        return self._devices.devices_of(org_id, self.room(org_id, email).id)

    def add(self, org_id: str, email: str, name: str) -> IssuedToken:
        """Add a device to a room; its token is in the answer, once."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(f"a device name is 1 to {MAX_NAME} characters")
        room = self.room(org_id, email)
        if len(self._devices.devices_of(org_id, room.id)) >= MAX_DEVICES:
            raise Conflict(f"a room has at most {MAX_DEVICES} devices: revoke one first")
        device, token = new_device(room, name, self._clock.now())
        self._devices.put_device(device)
        log.info("device added", extra=ctx(org=org_id, principal=room.id, device=device.id))
        return IssuedToken(device, token)

    def rotate(self, org_id: str, email: str, device_id: str) -> IssuedToken:
        """Give a device a new token; the old one stops working at once."""
        device = self._device(org_id, email, device_id)
        token = secrets.token_urlsafe(32)
        rotated = replace(device, token_hash=token_hash(token), rotated_at=self._clock.now())
        self._devices.put_device(rotated)
        log.info("device token rotated", extra=ctx(org=org_id, principal=device.room_id, device=device.id))
        return IssuedToken(rotated, token)

    def revoke(self, org_id: str, email: str, device_id: str) -> Device:
        """Delete a device; its token stops working at once."""
        device = self._device(org_id, email, device_id)
        self._devices.delete_device(device.id)
        log.info("device revoked", extra=ctx(org=org_id, principal=device.room_id, device=device.id))
        return device

    def _device(self, org_id: str, email: str, device_id: str) -> Device:
        room = self.room(org_id, email)
        device = self._devices.get_device(device_id)
        if device is None or device.org_id != org_id or device.room_id != room.id:
            raise NotFound("no such device in this room")
        return device
