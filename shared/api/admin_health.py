"""The admin API's health and alert routes.

``GET /admin/v1/orgs/{org}/health`` (the health report), ``GET|POST .../alert-hooks`` (list;
register one: its secret is in this answer only), ``DELETE .../alert-hooks/{hook}``,
``POST .../alert-hooks/{hook}:test`` (send a signed test event now) and ``GET .../alerts``
(the latest alerts with each delivery's state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from shared.api.http import Router, parse, respond
from shared.domain.health import MAX_URL, AlertHook
from shared.ports import Stores
from shared.services.alerts import AlertService, alert_view
from shared.services.health import HealthService
from shared.services.provisioning import ProvisioningService

ORG = "/admin/v1/orgs/<org_id>"
View = Callable[..., flask.Response]
_ROUTES: list[tuple[str, list[str], View]] = []


class AlertHookCreate(BaseModel):
    """``POST .../alert-hooks``: where alerts go (https, or http to a loopback address)."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=MAX_URL)


class AlertHookOut(BaseModel):
    """A registered alert hook (its secret only in the answer that registered it)."""

    id: str
    url: str
    created_at: str
    secret: str | None = None


class AlertHookList(BaseModel):
    """``GET .../alert-hooks``."""

    hooks: list[AlertHookOut]


class AlertOut(BaseModel):
    """One alert with its deliveries."""

    model_config = ConfigDict(extra="allow")
    id: str
    type: str
    deliveries: list[dict[str, Any]]


class AlertList(BaseModel):
    """``GET .../alerts``."""

    alerts: list[AlertOut]


class HealthOut(BaseModel):
    """``GET .../health``: see docs/health.md for every section."""

    model_config = ConfigDict(extra="allow")
    org: str
    principals: dict[str, Any]
    channels: dict[str, Any]
    sync: dict[str, Any]
    reconcile: dict[str, Any]
    dead_letters: dict[str, Any]
    quota: dict[str, Any]
    presence_poll: dict[str, Any]


def _route(path: str, methods: list[str]) -> Callable[[View], View]:
    def remember(view: View) -> View:
        _ROUTES.append((path, methods, view))
        return view

    return remember


def register(router: Router) -> None:
    """Add the health and alert routes to the admin router."""
    for path, methods, view in _ROUTES:
        router.route(path, methods)(view)


def _services() -> tuple[HealthService, AlertService]:
    from shared.bootstrap import get_app

    app = get_app()
    return app.health_report, app.alerts


def hook_view(hook: AlertHook, *, with_secret: bool = False) -> dict[str, Any]:
    """The JSON form of a hook (the secret only when asked, right after registration)."""
    view: dict[str, Any] = {"id": hook.id, "url": hook.url, "created_at": hook.created_at.isoformat()}
    if with_secret:
        view["secret"] = hook.secret
    return view


@_route(f"{ORG}/health", ["GET"])
def org_health(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """The org's health report."""
    service.require_org(org_id)
    return respond(_services()[0].report(org_id))


@_route(f"{ORG}/alert-hooks", ["GET"])
def list_hooks(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """The org's alert hooks (never their secrets)."""
    return respond({"hooks": [hook_view(h) for h in _services()[1].hooks(org_id)]})


@_route(f"{ORG}/alert-hooks", ["POST"])
def add_hook(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """Register an alert hook; its signing secret is in this answer only."""
    body = parse(AlertHookCreate, request)
    return respond(hook_view(_services()[1].add_hook(org_id, body.url), with_secret=True), 201)


@_route(f"{ORG}/alert-hooks/<hook_id>", ["DELETE"])
def remove_hook(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, hook_id: str
) -> flask.Response:
    """Remove an alert hook."""
    _services()[1].remove_hook(org_id, hook_id)
    return respond({"id": hook_id, "removed": True})


@_route(f"{ORG}/alert-hooks/<hook_id>:test", ["POST"])
def test_hook(
    request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str, hook_id: str
) -> flask.Response:
    """Send a signed test event to one hook now; answer the recorded alert and its delivery."""
    return respond(alert_view(_services()[1].test_hook(org_id, hook_id)))


@_route(f"{ORG}/alerts", ["GET"])
def list_alerts(request: flask.Request, service: ProvisioningService, stores: Stores, org_id: str) -> flask.Response:
    """The org's latest alerts, each delivery's state beside it."""
    return respond({"alerts": [alert_view(a) for a in _services()[1].alerts(org_id)]})
