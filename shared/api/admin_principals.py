"""The admin API's routes on one principal: read, deactivate, revalidate and purge.

``GET|DELETE /admin/v1/orgs/{org}/principals/{email}``, ``POST ...{email}:revalidate`` and
``POST ...{email}:purge``; a POST without an action answers 404.
"""

from __future__ import annotations

import flask

from shared.api.admin import actor_of, principal_view
from shared.api.admin_models import PrincipalDetailOut, PrincipalOut
from shared.api.admin_routing import admin_op, router
from shared.api.http import respond
from shared.api.params import PrincipalPath
from shared.errors import NotFound
from shared.ports import Stores
from shared.services.provisioning import ProvisioningService

PRINCIPAL = "/admin/v1/orgs/<org>/principals/<path:email>"


@admin_op("GET", PRINCIPAL, "getPrincipal", 200, PrincipalDetailOut)
def get_principal(service: ProvisioningService, stores: Stores, path: PrincipalPath) -> flask.Response:
    """Read a principal: state, reason, hint, last sync, channel expiry, meetings, decisions.

    Read one principal with its sync state, channels, meetings, decisions and dead letters.
    """
    return respond(principal_view(stores, service.require_principal(path.org, path.email), detail=True))


@admin_op("DELETE", PRINCIPAL, "deactivatePrincipal", 202, PrincipalOut)
def deactivate(
    request: flask.Request, service: ProvisioningService, stores: Stores, path: PrincipalPath
) -> flask.Response:
    """Deactivate a principal: channels stop, its data and keys are destroyed.

    Deactivate one principal.
    """
    return respond(principal_view(stores, service.deactivate(path.org, path.email, actor_of(request))), 202)


@admin_op("POST", f"{PRINCIPAL}:revalidate", "revalidatePrincipal", 202, PrincipalOut)
def revalidate(service: ProvisioningService, stores: Stores, path: PrincipalPath) -> flask.Response:
    """Run validation again (after fixing delegation, say).

    Run validation again.
    """
    return respond(principal_view(stores, service.revalidate(path.org, path.email)), 202)


@admin_op("POST", f"{PRINCIPAL}:purge", "purgePrincipal", 200, PrincipalOut)
def purge(service: ProvisioningService, stores: Stores, path: PrincipalPath) -> flask.Response:
    """Delete a deactivated principal's record for good (409 unless it is deactivated).

    Delete a deactivated principal's record.
    """
    return respond(principal_view(stores, service.purge(path.org, path.email)))


@router.route("POST", PRINCIPAL)
def no_action() -> flask.Response:
    """A POST on a principal names its action (``:revalidate`` or ``:purge``)."""
    raise NotFound("no such route")
