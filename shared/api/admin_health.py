"""The admin API's health and alert routes.

``GET /admin/v1/orgs/{org}/health`` (the health report), ``GET|POST .../alert-hooks`` (list;
register one: its secret is in this answer only), ``DELETE .../alert-hooks/{hook}``,
``POST .../alert-hooks/{hook}:test`` (send a signed test event now) and ``GET .../alerts``
(the latest alerts with each delivery's state).
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from shared.api.admin_routing import action, admin_op
from shared.api.http import respond
from shared.api.params import OrgPath
from shared.domain.health import MAX_URL, AlertHook
from shared.services.alerts import AlertService, alert_view
from shared.services.health import HealthService
from shared.services.provisioning import ProvisioningService

ORG = "/admin/v1/orgs/<org>"


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


def hook_view(hook: AlertHook, *, with_secret: bool = False) -> dict[str, Any]:
    """The JSON form of a hook (the secret only when asked, right after registration)."""
    view: dict[str, Any] = {"id": hook.id, "url": hook.url, "created_at": hook.created_at.isoformat()}
    if with_secret:
        view["secret"] = hook.secret
    return view


class HookPath(OrgPath):
    """``{org}`` and ``{hook_id}``: one alert hook of an org."""

    hook_id: str = Field(min_length=1)


@admin_op("GET", f"{ORG}/health", "getOrgHealth", 200, HealthOut)
def org_health(service: ProvisioningService, health_report: HealthService, path: OrgPath) -> flask.Response:
    """The org's health report.

    The org's health report.
    """
    service.require_org(path.org)
    return respond(health_report.report(path.org))


@admin_op("GET", f"{ORG}/alert-hooks", "listAlertHooks", 200, AlertHookList)
def list_hooks(alerts: AlertService, path: OrgPath) -> flask.Response:
    """The org's alert hooks.

    The org's alert hooks (never their secrets).
    """
    return respond({"hooks": [hook_view(h) for h in alerts.hooks(path.org)]})


@admin_op("POST", f"{ORG}/alert-hooks", "addAlertHook", 201, AlertHookOut)
def add_hook(alerts: AlertService, path: OrgPath, body: AlertHookCreate) -> flask.Response:
    """Register an alert hook (https, or http to loopback); its secret is in this answer only.

    Register an alert hook; its signing secret is in this answer only.
    """
    return respond(hook_view(alerts.add_hook(path.org, body.url), with_secret=True), 201)


@admin_op("DELETE", f"{ORG}/alert-hooks/<hook_id>", "removeAlertHook", 200, None)
def remove_hook(alerts: AlertService, path: HookPath) -> flask.Response:
    """Remove an alert hook.

    Remove an alert hook.
    """
    alerts.remove_hook(path.org, path.hook_id)
    return respond({"id": path.hook_id, "removed": True})


@admin_op("POST", action(f"{ORG}/alert-hooks", "hook_id", "test"), "testAlertHook", 200, AlertOut)
def test_hook(alerts: AlertService, path: HookPath) -> flask.Response:
    """Send a signed test event to one hook now.

    Send a signed test event to one hook now; answer the recorded alert and its delivery.
    """
    return respond(alert_view(alerts.test_hook(path.org, path.hook_id)))


@admin_op("GET", f"{ORG}/alerts", "listAlerts", 200, AlertList)
def list_alerts(alerts: AlertService, path: OrgPath) -> flask.Response:
    """The org's alerts and their deliveries.

    The org's latest alerts, each delivery's state beside it.
    """
    return respond({"alerts": [alert_view(a) for a in alerts.alerts(path.org)]})
