"""The admin API under /admin/v1: orgs, principals (people and rooms) and their state; devices in admin_devices.

IAM guards it in the cloud; the local runtime asks for the admin token.
"""

from __future__ import annotations

import json
from datetime import timedelta
from enum import Enum
from typing import Any

import flask
from msgspec.structs import replace

from shared.api.admin_devices import device_view
from shared.api.admin_models import (
    ActivatedOut,
    DeadLettersOut,
    OrgCreate,
    OrgFields,
    OrgList,
    OrgOut,
    PrincipalCreate,
    PrincipalList,
)
from shared.api.admin_routing import admin_op
from shared.api.admin_routing import router as router  # the routes are on it once this module is imported
from shared.api.http import query_param, respond
from shared.api.params import OrgPath, PrincipalQuery
from shared.config import GOOGLE_SCOPES
from shared.domain.decisions import hint_for
from shared.domain.principals import DEFAULT_KEYWORDS, CredentialRef, Org, Principal, PrincipalKind
from shared.errors import InvalidInput
from shared.ports import Stores
from shared.services import deadletters
from shared.services.provisioning import EMAIL, ProvisioningService, org_id_for

BASE = "/admin/v1"
WEBEX_TOKEN = "webex_access_token"
_STATE = ("email", "kind", "state", "reason", "hint", "detail")
_SETTINGS = ("presence_enabled", "locale", "time_zone", "updated_at", "deactivated_at", "deactivated_by")
PRINCIPAL_FIELDS = _STATE + _SETTINGS
"""What every view of a principal shows (an enum as its value); the detail adds sync, channels, meetings, decisions."""


def org_view(org: Org, secrets: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The JSON form of an org (never the key, never a secret: only whether the Webex token is set)."""
    credential: dict[str, Any] = {"kind": org.credential.kind, "client_id": org.credential.client_id}
    if org.credential.kind != "stored":
        credential["reference"] = org.credential.reference
    return {
        "id": org.id,
        "domain": org.domain,
        "credential": credential,
        "keywords": org.keywords,
        "join_lead_minutes": int(org.join_lead.total_seconds() // 60),
        "default_locale": org.default_locale,
        "provider": org.provider,
        "webex_site": org.webex_site,
        "send_updates": org.send_updates,
        "room_delegate": org.room_delegate,
        "kms_key": org.kms_key,
        "created_at": org.created_at,
        "room_display_presence": org.room_display_presence,
        "webex_access_token_set": WEBEX_TOKEN in secrets,
        "delegation": {"client_id": org.credential.client_id, "scopes": ",".join(GOOGLE_SCOPES)},
    }


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def principal_view(stores: Stores, p: Principal, *, detail: bool = False) -> dict[str, Any]:
    """The JSON form of a principal with its state, reason and hint."""
    view: dict[str, Any] = {name: _plain(getattr(p, name)) for name in PRINCIPAL_FIELDS}
    if detail:
        sync, _ = stores.sync_states.get_sync_state(p.org_id, p.id)
        channels = [c for c in stores.channels.channels_of(p.org_id, p.id) if c.state.value == "active"]
        view.update(
            last_sync=sync.last_sync,
            last_full_sync=sync.last_full_sync,
            channel_expiry=max((c.expiration for c in channels), default=None),
            meeting_count=stores.meetings.count_meetings(p.org_id, p.id),
            decisions=[
                {**d, "hint": hint_for(str(d["reason"] or ""))} for d in stores.decisions.list_decisions(p.org_id, p.id)
            ],
            dead_letters=deadletters.of_principal(stores, p.org_id, p.id),
        )
        if p.kind is PrincipalKind.ROOM:
            view["devices"] = [device_view(d) for d in stores.devices.devices_of(p.org_id, p.id)]
    return view


def actor_of(request: flask.Request) -> str:
    """Who is calling: the email of the IAM identity in front of the admin API, else ``admin``.

    Cloud Run IAM has verified the ID token before the request arrives (in ``Authorization``
    or ``X-Serverless-Authorization``); the local runtime only knows the admin token.
    """
    for header in ("X-Serverless-Authorization", "Authorization"):
        value = request.headers.get(header, "")
        if not value.startswith("Bearer ") or value.count(".") != 2:
            continue
        from google.auth import jwt  # on first use: only a caller with an ID token needs it

        try:
            claims = jwt.decode(value[7:], verify=False)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError):
            continue
        email = claims.get("email") if isinstance(claims, dict) else None
        if isinstance(email, str) and EMAIL.match(email):
            return email.lower()
    return "admin"


def _check_provider(org: Org, token_given: bool, secrets: frozenset[str]) -> None:
    if org.provider == "webex_api" and not token_given and WEBEX_TOKEN not in secrets:
        raise InvalidInput("provider webex_api needs webex_access_token (the org's Webex access token)")


def _apply(org: Org, fields: OrgFields) -> tuple[Org, str | None]:
    changes: dict[str, Any] = {}
    for name in (
        "default_locale",
        "provider",
        "webex_site",
        "send_updates",
        "room_delegate",
        "kms_key",
        "room_display_presence",
    ):
        value = getattr(fields, name)
        if value is not None:
            changes[name] = value
    if fields.keywords is not None:
        changes["keywords"] = dict(fields.keywords)
    if fields.join_lead_minutes is not None:
        changes["join_lead"] = timedelta(minutes=fields.join_lead_minutes)
    key_text: str | None = None
    if fields.service_account_key is not None:
        key = fields.service_account_key
        assert isinstance(key, dict)
        key_text = json.dumps(key)
        changes["credential"] = CredentialRef("stored", "", str(key["client_id"]))
    elif fields.credential is not None:
        changes["credential"] = CredentialRef(
            fields.credential.kind, fields.credential.reference, fields.credential.client_id
        )
    return replace(org, **changes), key_text


@admin_op("GET", f"{BASE}/openapi.json", "openapi", 200, None)
def openapi() -> flask.Response:
    """This document.

    The OpenAPI document of this API.
    """
    return respond(router.document())


@admin_op("POST", f"{BASE}/orgs", "createOrg", 201, OrgOut)
def create_org(service: ProvisioningService, stores: Stores, body: OrgCreate) -> flask.Response:
    """Create an org (a domain and a credential).

    Create an org.
    """
    base = Org(
        id=body.id or org_id_for(body.domain),
        domain=body.domain,
        credential=CredentialRef("stored", ""),
        keywords=dict(DEFAULT_KEYWORDS),
    )
    org, key = _apply(base, body)
    _check_provider(org, bool(body.webex_access_token), frozenset())
    created = service.create_org(org, key)
    if body.webex_access_token:
        stores.orgs.put_org_secret(created.id, WEBEX_TOKEN, body.webex_access_token)
    return respond(org_view(created, stores.orgs.org_secret_names(created.id)), 201)


@admin_op("GET", f"{BASE}/orgs", "listOrgs", 200, OrgList)
def list_orgs(stores: Stores) -> flask.Response:
    """List the orgs.

    List orgs.
    """
    return respond({"orgs": [org_view(o, stores.orgs.org_secret_names(o.id)) for o in stores.orgs.list_orgs()]})


@admin_op("GET", f"{BASE}/orgs/<org>", "getOrg", 200, OrgOut)
def get_org(service: ProvisioningService, stores: Stores, path: OrgPath) -> flask.Response:
    """Read an org.

    Read an org.
    """
    return respond(org_view(service.require_org(path.org), stores.orgs.org_secret_names(path.org)))


@admin_op("PATCH", f"{BASE}/orgs/<org>", "updateOrg", 200, OrgOut)
def patch_org(service: ProvisioningService, stores: Stores, path: OrgPath, body: OrgFields) -> flask.Response:
    """Change an org's settings.

    Change an org's settings.
    """
    org_id = path.org
    org, key = _apply(service.require_org(org_id), body)
    _check_provider(org, bool(body.webex_access_token), stores.orgs.org_secret_names(org_id))
    updated = service.update_org(org, key)
    if body.webex_access_token:
        stores.orgs.put_org_secret(org_id, WEBEX_TOKEN, body.webex_access_token)
    return respond(org_view(updated, stores.orgs.org_secret_names(org_id)))


@admin_op("GET", f"{BASE}/dead-letters", "listDeadLetters", 200, DeadLettersOut)
def dead_letters(stores: Stores) -> flask.Response:
    """Dead letters of the deployment, counted per topic, with the latest error.

    Dead letters of the deployment, per topic.
    """
    return respond(deadletters.summary(stores))


@admin_op("GET", f"{BASE}/orgs/<org>/dead-letters", "listOrgDeadLetters", 200, DeadLettersOut)
def org_dead_letters(service: ProvisioningService, stores: Stores, path: OrgPath) -> flask.Response:
    """An org's dead letters, counted per topic and per principal, with the latest error.

    An org's dead letters, per topic and per principal.
    """
    service.require_org(path.org)
    return respond(deadletters.summary(stores, path.org))


@admin_op("POST", f"{BASE}/orgs/<org>/principals", "activatePrincipal", 202, ActivatedOut)
def activate(service: ProvisioningService, stores: Stores, path: OrgPath, body: PrincipalCreate) -> flask.Response:
    """Activate a person or a room; validation runs asynchronously.

    Activate a person or a room (validation runs asynchronously).
    """
    result = service.activate(path.org, body.email, PrincipalKind(body.kind), body.devices)
    view = principal_view(stores, result.principal)
    if result.device_tokens:
        names = result.device_names
        view["devices"] = [{"id": i, "name": names.get(i, ""), "token": t} for i, t in result.device_tokens.items()]
    return respond(view, 202)


@admin_op("GET", f"{BASE}/orgs/<org>/principals", "listPrincipals", 200, PrincipalList)
def list_principals(
    request: flask.Request, service: ProvisioningService, stores: Stores, path: OrgPath, query: PrincipalQuery
) -> flask.Response:
    """List an org's principals, by kind and state.

    List principals, optionally by kind and state.
    """
    service.require_org(path.org)
    kind = query_param(request.args, "kind", ("person", "room"))
    state = query_param(request.args, "state", ("pending", "validating", "active", "error", "deactivated"))
    principals = [
        p
        for p in stores.principals.list_principals(path.org)
        if (kind is None or p.kind.value == kind) and (state is None or p.state.value == state)
    ]
    principals.sort(key=lambda p: p.email)
    return respond({"principals": [principal_view(stores, p) for p in principals]})


from shared.api import admin_devices, admin_health, admin_principals, admin_rooms  # noqa: E402, F401  (their routes)
