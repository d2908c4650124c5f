"""Who is calling the app API: users by Google-signed ID token, room devices by device token.

Users present ``Authorization: Bearer <ID token>``; the identity port verifies it (signature,
audience ``HYBRIDCAL_OIDC_CLIENT_ID``, issuer, ``iat``/``exp`` on the injected clock,
``email_verified``, ``hd``) and this module checks that ``hd`` names an org whose active person
this is. Devices
present ``Authorization: Device <token>``; only the token's SHA-256 is stored, and a device
sees only its own room. Anything else is refused: deny by default.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

import msgspec

from shared.config import Settings
from shared.domain.principals import Device, Org, Principal, PrincipalKind
from shared.domain.tokens import token_hash
from shared.errors import Forbidden, HybridCalendarError, NotFound, Unauthenticated, Unavailable
from shared.logs import ctx, get_logger
from shared.ports.identity import IdentityVerifier
from shared.ports.stores import DeviceRepository, OrgRepository, PrincipalRepository

if TYPE_CHECKING:
    import httpx

log = get_logger(__name__)


class Caller(msgspec.Struct, frozen=True):
    """An authenticated caller: a person of an org, or a device of one room."""

    org: Org
    principal: Principal
    device: Device | None = None

    @property
    def is_device(self) -> bool:
        """True for a room device."""
        return self.device is not None


class Authenticator:
    """Turns an ``Authorization`` header into a :class:`Caller`, or refuses."""

    def __init__(
        self,
        orgs: OrgRepository,
        principals: PrincipalRepository,
        devices: DeviceRepository,
        verifier: IdentityVerifier,
    ) -> None:
        self._orgs, self._principals, self._devices = orgs, principals, devices
        self.verifier = verifier

    def authenticate(self, header: str | None) -> Caller:
        """The caller behind ``header``; Unauthenticated or Forbidden otherwise."""
        scheme, _, value = (header or "").strip().partition(" ")
        value = value.strip()
        if not value or len(value) > 8192:
            raise Unauthenticated("sign in: send Authorization: Bearer <ID token> (or Device <token>)")
        if scheme.lower() == "bearer":
            return self.person(value)
        if scheme.lower() == "device":
            return self.device(value)
        raise Unauthenticated("unsupported authorization scheme")

    def person(self, token: str) -> Caller:
        """An active person of the org whose domain the token's ``hd`` names."""
        claims = self.verifier.verify(token)
        email, hd = str(claims["email"]).lower(), str(claims["hd"]).lower()
        org = self._orgs.org_by_domain(hd)
        if org is None or not org.owns(email):
            raise Forbidden("this Google Workspace domain does not use the service", reason="org_unknown")
        principal = self._principals.find_principal(org.id, email)
        if principal is None or not principal.active or principal.kind is not PrincipalKind.PERSON:
            raise Forbidden("this account is not activated for the service", reason="not_activated")
        return Caller(org=org, principal=principal)

    def device(self, token: str) -> Caller:
        """The device whose token this is, with its room (which must be active)."""
        digest = token_hash(token)
        device = self._devices.device_by_token_hash(digest)
        if device is None or not hmac.compare_digest(device.token_hash, digest):
            raise Unauthenticated("unknown device token")
        org = self._orgs.get_org(device.org_id)
        room = self._principals.get_principal(device.org_id, device.room_id) if org else None
        if org is None or room is None or not room.active:
            log.info("device refused: room not active", extra=ctx(org=device.org_id, device=device.id))
            raise Forbidden("this device's room is not active", reason="room_inactive")
        return Caller(org=org, principal=room, device=device)


class DevSignIn:
    """Local sign-in: pick a user of the emulator and get an ID token from its OIDC issuer.

    Offered only when ``HYBRIDCAL_GOOGLE_BASE_URL`` points at the project's emulator (its control
    plane answers); against Google it is never available.
    """

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self._base = settings.google_base_url
        self._audience = settings.oidc_client_id
        self._http = http
        self._available: bool | None = None

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx  # on the first sign-in: the app's other answers never load it

        try:
            response = self._http.request(method, f"{self._base}/emulator/v1{path}", timeout=10.0, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable("the emulator did not answer") from exc
        if response.status_code == 404:
            raise NotFound("no such user in the emulator")
        if response.status_code >= 400:
            raise Unavailable(f"the emulator answered {response.status_code}")
        return response.json()

    @property
    def available(self) -> bool:
        """True when the Google base URL is the emulator (checked once)."""
        if self._available is None:
            self._available = False
            if self._base:
                try:
                    self._available = isinstance(self._control("GET", "/clock").get("time"), str)
                except (HybridCalendarError, ValueError, AttributeError):
                    self._available = False
        return self._available

    def users(self) -> list[dict[str, str]]:
        """Every user of the emulated domains (email, name, domain)."""
        if not self.available:
            raise NotFound("development sign-in is only offered against the emulator")
        domains = self._control("GET", "/domains").get("items") or []
        return [
            {"email": u["email"], "name": u["name"], "domain": d["domain"]}
            for d in domains
            for u in d.get("users") or ()
        ]

    def sign_in(self, email: str) -> str:
        """An ID token for ``email`` issued by the emulator for this service's client id."""
        if not self.available:
            raise NotFound("development sign-in is only offered against the emulator")
        answer = self._control("POST", "/id-tokens", json={"email": email, "audience": self._audience})
        return str(answer["idToken"])
