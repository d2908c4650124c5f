"""The admin API under /admin/v1: orgs, principals (people and rooms) and their state.

IAM guards it in the cloud; the local runtime asks for the admin token.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import flask

from shared.api import admin_openapi
from shared.api.admin_models import OrgCreate, OrgFields, PrincipalCreate
from shared.api.http import Router, parse, query_param, respond
from shared.config import GOOGLE_SCOPES
from shared.domain.principals import DEFAULT_KEYWORDS, CredentialRef, Org, Principal, PrincipalKind
from shared.errors import NotFound
from shared.ports import Stores
from shared.services import deadletters
from shared.services.provisioning import ProvisioningService, org_id_for

router = Router("admin_api")
BASE = "/admin/v1"


def org_view(org: Org) -> dict[str, Any]:
    """The JSON form of an org (never the key)."""
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
        "delegation": {"client_id": org.credential.client_id, "scopes": ",".join(GOOGLE_SCOPES)},
    }


def principal_view(stores: Stores, p: Principal, *, detail: bool = False) -> dict[str, Any]:
    """The JSON form of a principal with its state, reason and hint."""
    view: dict[str, Any] = {
        "email": p.email,
        "kind": p.kind.value,
        "state": p.state.value,
        "reason": p.reason.value if p.reason else None,
        "hint": p.hint,
        "detail": p.detail,
        "presence_enabled": p.presence_enabled,
        "locale": p.locale,
        "time_zone": p.time_zone,
        "updated_at": p.updated_at,
    }
    if detail:
        sync, _ = stores.get_sync_state(p.org_id, p.id)
        channels = [c for c in stores.channels_of(p.org_id, p.id) if c.state.value == "active"]
        view.update(
            last_sync=sync.last_sync,
            last_full_sync=sync.last_full_sync,
            channel_expiry=max((c.expiration for c in channels), default=None),
            meeting_count=stores.count_meetings(p.org_id, p.id),
            decisions=stores.list_decisions(p.org_id, p.id),
            dead_letters=deadletters.of_principal(stores, p.org_id, p.id),
        )
    return view


def _apply(org: Org, fields: OrgFields) -> tuple[Org, str | None]:
    changes: dict[str, Any] = {}
    for name in ("default_locale", "provider", "webex_site", "send_updates", "room_delegate", "kms_key"):
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


@router.route(f"{BASE}/openapi.json", ["GET"])
def openapi(request: flask.Request, service: ProvisioningService, stores: Stores) -> flask.Response:
    """The OpenAPI document of this API."""
    return respond(admin_openapi.document())


@router.route(f"{BASE}/orgs", ["POST"])
def create_org(request: flask.Request, service: ProvisioningService, stores: Stores) -> flask.Response:
    """Create an org."""
    body = parse(OrgCreate, request)
    base = Org(
        id=body.id or org_id_for(body.domain),
        domain=body.domain,
        credential=CredentialRef("stored", ""),
        keywords=dict(DEFAULT_KEYWORDS),
    )
    org, key = _apply(base, body)
    created = service.create_org(org, key)
    if body.webex_access_token:
        stores.put_org_secret(created.id, "webex_access_token", body.webex_access_token)
    return respond(org_view(created), 201)


@router.route(f"{BASE}/orgs", ["GET"])
def list_orgs(request: flask.Request, service: ProvisioningService, stores: Stores) -> flask.Response:
    """List orgs."""
    return respond({"orgs": [org_view(o) for o in stores.list_orgs()]})


@router.route(f"{BASE}/orgs/<org_id>", ["GET"])
def get_org(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """Read an org."""
    return respond(org_view(service.require_org(org_id)))


@router.route(f"{BASE}/orgs/<org_id>", ["PATCH"])
def patch_org(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """Change an org's settings."""
    fields = parse(OrgFields, request)
    org, key = _apply(service.require_org(org_id), fields)
    updated = service.update_org(org, key)
    if fields.webex_access_token:
        stores.put_org_secret(org_id, "webex_access_token", fields.webex_access_token)
    return respond(org_view(updated))


@router.route(f"{BASE}/dead-letters", ["GET"])
def dead_letters(request: flask.Request, service: ProvisioningService, stores: Stores) -> flask.Response:
    """Dead letters of the deployment, per topic."""
    return respond(deadletters.summary(stores))


@router.route(f"{BASE}/orgs/<org_id>/dead-letters", ["GET"])
def org_dead_letters(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str
) -> flask.Response:
    """An org's dead letters, per topic and per principal."""
    service.require_org(org_id)
    return respond(deadletters.summary(stores, org_id))


@router.route(f"{BASE}/orgs/<org_id>/principals", ["POST"])
def activate(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """Activate a person or a room (validation runs asynchronously)."""
    body = parse(PrincipalCreate, request)
    result = service.activate(org_id, body.email, PrincipalKind(body.kind), body.devices)
    view = principal_view(stores, result.principal)
    if result.device_tokens:
        names = result.device_names
        view["devices"] = [{"id": i, "name": names.get(i, ""), "token": t} for i, t in result.device_tokens.items()]
    return respond(view, 202)


@router.route(f"{BASE}/orgs/<org_id>/principals", ["GET"])
def list_principals(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str
) -> flask.Response:
    """List principals, optionally by kind and state."""
    service.require_org(org_id)
    kind = query_param(request.args, "kind", ("person", "room"))
    state = query_param(request.args, "state", ("pending", "validating", "active", "error", "deactivated"))
    principals = [
        p
        for p in stores.list_principals(org_id)
        if (kind is None or p.kind.value == kind) and (state is None or p.state.value == state)
    ]
    principals.sort(key=lambda p: p.email)
    return respond({"principals": [principal_view(stores, p) for p in principals]})


@router.route(f"{BASE}/orgs/<org_id>/principals/<path:email>", ["GET", "POST", "DELETE"])
def principal(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, email: str
) -> flask.Response:
    """Read, revalidate (POST ...:revalidate) or deactivate (DELETE) one principal."""
    if request.method == "POST":
        if not email.endswith(":revalidate"):
            raise NotFound("no such route")
        return respond(principal_view(stores, service.revalidate(org_id, email.removesuffix(":revalidate"))), 202)
    if request.method == "DELETE":
        return respond(principal_view(stores, service.deactivate(org_id, email)), 202)
    return respond(principal_view(stores, service.require_principal(org_id, email), detail=True))
