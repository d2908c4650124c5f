"""Repository ports of who is served: orgs and their sealed secrets, principals, room devices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from shared.domain.principals import Device, Org, Principal
from shared.ports.principal_heads import PrincipalHeads


class OrgRepository(Protocol):
    """Orgs and their sealed secrets (the service-account key among them)."""

    def get_org(self, org_id: str) -> Org | None:
        """Read an org."""
        ...

    def put_org(self, org: Org, service_account_key: str | None = None, *, create: bool = False) -> None:
        """Create (Conflict if it exists) or replace an org; the key is stored encrypted."""
        ...

    def list_orgs(self) -> list[Org]:
        """Every org of the deployment."""
        ...

    def service_account_key(self, org_id: str) -> str | None:
        """The org's stored service-account key JSON, opened."""
        ...

    def put_org_secret(self, org_id: str, name: str, value: str | None) -> None:
        """Seal (or remove) a named secret of an org."""
        ...

    def org_secret(self, org_id: str, name: str) -> str | None:
        """Open a named secret of an org."""
        ...

    def org_secret_names(self, org_id: str) -> frozenset[str]:
        """The names of an org's sealed secrets (never their values)."""
        ...

    def org_by_domain(self, domain: str) -> Org | None:
        """The org serving ``domain``, if any: always the same one (its domain claim, else the oldest)."""
        ...


class PrincipalRepository(PrincipalHeads, Protocol):
    """Principals (people and rooms) by id, by email's blind index or unopened; the purge of a principal's data."""

    def principal_id(self, org_id: str, email: str) -> str:
        """The stable id of the principal with this email."""
        ...

    def get_principal(self, org_id: str, principal_id: str) -> Principal | None:
        """Read a principal by id."""
        ...

    def find_principal(self, org_id: str, email: str) -> Principal | None:
        """Read a principal by email (through its blind index)."""
        ...

    def put_principal(self, principal: Principal, *, if_version: str | None = None) -> None:
        """Create or replace a principal."""
        ...

    def update_principal(
        self, org_id: str, principal_id: str, change: Callable[[Principal], Principal]
    ) -> Principal | None:
        """Apply ``change`` to the stored principal atomically (compare-and-set); None if it is gone."""
        ...

    def list_principals(self, org_id: str, *, active_only: bool = False) -> list[Principal]:
        """Principals of an org."""
        ...

    def delete_principal(self, org_id: str, principal_id: str) -> None:
        """Delete a principal's own record (the purge after deactivation)."""
        ...

    def destroy_principal_data(self, org_id: str, principal_id: str) -> int:
        """Delete everything stored for a principal and shred its key material."""
        ...

    def deactivated_since(self, org_id: str, since: datetime) -> list[str]:
        """Ids of the org's principals deactivated at ``since`` or later (one query, nothing opened)."""
        ...

    def principal_data_left(self, org_id: str, principal_id: str) -> bool:
        """Whether anything ``destroy_principal_data`` deletes is stored for the principal, or its key material
        (a write for a principal whose data was destroyed leaves one of them)."""
        ...


class DeviceRepository(Protocol):
    """Room devices (their tokens only as hashes)."""

    def put_device(self, device: Device) -> None:
        """Create or replace a device."""
        ...

    def get_device(self, device_id: str) -> Device | None:
        """Read a device by id."""
        ...

    def devices_of(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, oldest first."""
        ...

    def delete_device(self, device_id: str) -> None:
        """Delete a device (its token stops working at once)."""
        ...

    def device_by_token_hash(self, token_hash: str) -> Device | None:
        """The device whose token hashes to ``token_hash``."""
        ...

    def devices_of_room(self, org_id: str, room_id: str) -> list[Device]:
        """Every device of one room, by id (names opened; without the token times)."""
        ...
