"""Request models of the admin API (pydantic), validated strictly: unknown fields are refused."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from shared.i18n.tags import catalog_locale

Action = Literal["personal_room", "space"]
SECRET_VERSION = re.compile(r"^projects/[^/\s]+/secrets/[A-Za-z0-9_-]{1,255}/versions/(latest|[1-9][0-9]*)$")
SITE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class CredentialIn(BaseModel):
    """Where the service-account credential lives when it is not given inline."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["secret", "keyless"]
    reference: str = Field(min_length=3, max_length=512)
    client_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _reference(self) -> CredentialIn:
        if self.kind == "secret" and not SECRET_VERSION.match(self.reference):
            raise ValueError("a secret reference is a version: projects/P/secrets/S/versions/V (V a number or latest)")
        if self.kind == "keyless" and "@" not in self.reference:
            raise ValueError("a keyless reference is the service account's email")
        return self


class OrgFields(BaseModel):
    """Settings an org has; every field optional (PATCH)."""

    model_config = ConfigDict(extra="forbid")
    keywords: dict[str, Action] | None = None
    join_lead_minutes: int | None = Field(default=None, ge=0, le=60)
    default_locale: str | None = Field(default=None, max_length=35)
    provider: Literal["personal_room", "space", "webex_api"] | None = None
    webex_access_token: str | None = Field(default=None, min_length=8, max_length=4096)
    webex_site: str | None = Field(default=None, max_length=253)
    send_updates: Literal["all", "externalOnly", "none"] | None = None
    room_delegate: str | None = Field(default=None, max_length=254)
    kms_key: str | None = Field(default=None, max_length=512)
    room_display_presence: StrictBool | None = Field(
        default=None, description="Whether room displays mark people who are away (off for public spaces)."
    )
    service_account_key: dict[str, Any] | str | None = None
    credential: CredentialIn | None = None

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: dict[str, Action] | None) -> dict[str, Action] | None:
        if value is None:
            return None
        for keyword in value:
            if not keyword.startswith("@") or len(keyword) < 2 or any(c.isspace() for c in keyword):
                raise ValueError("keywords start with @ and hold no spaces")
        return {k.lower(): v for k, v in value.items()}

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        return None if value is None else catalog_locale(value)

    @field_validator("webex_site")
    @classmethod
    def _site(cls, value: str | None) -> str | None:
        if value is not None and not SITE.match(value):
            raise ValueError("webex_site must be the Webex site's host name, such as example.webex.com")
        return None if value is None else value.lower()

    @field_validator("service_account_key")
    @classmethod
    def _key(cls, value: dict[str, Any] | str | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError("service_account_key must be the key file's JSON") from None
        if not isinstance(value, dict):
            raise ValueError("service_account_key must be a JSON object")
        if value.get("type") != "service_account":
            raise ValueError("service_account_key is not a service-account key file")
        for name in ("client_email", "private_key", "client_id"):
            if not isinstance(value.get(name), str) or not value[name]:
                raise ValueError(f"service_account_key lacks {name}")
        return value


class OrgCreate(OrgFields):
    """``POST /admin/v1/orgs``: a domain and a credential (inline key or a reference)."""

    domain: str = Field(min_length=3, max_length=253)
    id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")

    @model_validator(mode="after")
    def _one_credential(self) -> OrgCreate:
        if (self.service_account_key is None) == (self.credential is None):
            raise ValueError("give exactly one of service_account_key or credential")
        return self


class PrincipalCreate(BaseModel):
    """``POST /admin/v1/orgs/{org}/principals``."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254)
    kind: Literal["person", "room"] = "person"
    devices: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("devices")
    @classmethod
    def _devices(cls, value: list[str]) -> list[str]:
        if any(not name.strip() or len(name) > 100 for name in value):
            raise ValueError("device names are 1 to 100 characters")
        return value


# ---------------------------------------------------------------- responses (for the OpenAPI document)


class CredentialOut(BaseModel):
    """Where an org's credential lives (never the key itself)."""

    kind: Literal["stored", "secret", "keyless"]
    client_id: str | None = None
    reference: str | None = None


class DelegationOut(BaseModel):
    """What to authorise in the Admin console: the client id and the comma-separated scopes."""

    client_id: str | None
    scopes: str


class OrgOut(BaseModel):
    """An org as the admin API shows it."""

    id: str
    domain: str
    credential: CredentialOut
    keywords: dict[str, Action]
    join_lead_minutes: int
    default_locale: str
    provider: str
    webex_site: str
    send_updates: str
    room_delegate: str | None
    kms_key: str | None
    created_at: str | None
    room_display_presence: bool = True
    webex_access_token_set: bool = Field(description="Whether a Webex access token is stored (never the token).")
    delegation: DelegationOut


class OrgList(BaseModel):
    """``GET /admin/v1/orgs``."""

    orgs: list[OrgOut]


State = Literal["pending", "validating", "active", "error", "deactivated"]
Reason = Literal[
    "delegation_not_authorized",
    "calendar_not_found",
    "forbidden",
    "gmail_scope_missing",
    "email_mismatch",
    "unavailable",
    "secret_unavailable",
    "credentials_unavailable",
    "processing_failed",
]


class PrincipalOut(BaseModel):
    """A person or room with its state; ``reason``, ``hint`` and ``detail`` explain an error or a limitation."""

    email: str
    kind: Literal["person", "room"]
    state: State
    reason: Reason | None
    hint: str | None
    detail: str | None
    presence_enabled: bool
    locale: str | None
    time_zone: str | None
    updated_at: str | None
    deactivated_at: str | None = None
    deactivated_by: str | None = Field(default=None, description="Who asked: the caller's IAM identity, or admin.")


class DeviceOut(BaseModel):
    """A room device as listed: never its token (only a hash of it is stored)."""

    id: str
    name: str
    created_at: str | None
    rotated_at: str | None


class DecisionOut(BaseModel):
    """One join-detail decision of the rewrite (the latest per event)."""

    event_id: str
    outcome: str
    reason: str | None
    hint: str | None = Field(default=None, description="What the reason means and what to do about it.")
    at: str


class DeadLetterCountOut(BaseModel):
    """Dead letters of one topic (or one principal): how many, and the latest with its error."""

    count: int
    last_at: str | None = None
    last_error: str | None = None


class PrincipalDeadLettersOut(DeadLetterCountOut):
    """Dead letters about one principal, per topic."""

    principal_id: str
    email: str | None
    topics: dict[str, int]


class DeadLettersOut(BaseModel):
    """``GET /admin/v1/dead-letters`` and ``GET .../orgs/{org}/dead-letters`` (the org's with ``principals``)."""

    total: int
    topics: dict[str, DeadLetterCountOut]
    principals: list[PrincipalDeadLettersOut] = Field(default_factory=list)


class PrincipalDetailOut(PrincipalOut):
    """``GET .../principals/{email}``: state, sync progress, channel expiry, meetings, decisions, dead letters."""

    last_sync: str | None
    last_full_sync: str | None
    channel_expiry: str | None
    meeting_count: int
    decisions: list[DecisionOut]
    dead_letters: DeadLetterCountOut
    devices: list[DeviceOut] = Field(default_factory=list, description="A room's devices (never their tokens).")


class DeviceList(BaseModel):
    """``GET .../principals/{email}/devices``."""

    devices: list[DeviceOut]


class DeviceCreate(BaseModel):
    """``POST .../principals/{email}/devices``: a device for a room."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class DeviceTokenOut(BaseModel):
    """A room device and its token, shown once."""

    id: str
    name: str
    token: str


class ActivatedOut(PrincipalOut):
    """``POST .../principals``: the pending principal; rooms get their device tokens here, once."""

    devices: list[DeviceTokenOut] = Field(default_factory=list)


class PrincipalList(BaseModel):
    """``GET .../principals``."""

    principals: list[PrincipalOut]
