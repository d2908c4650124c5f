"""The admin API's routing object and what its OpenAPI operations share: the admin token, the errors.

Declared once here; ``shared.api.admin`` and its companions add the routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

import shared
from shared.api.routing import Api, View

if TYPE_CHECKING:
    from shared.bootstrap import App

ADMIN: list[dict[str, list[str]]] = [{"adminToken": []}]
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
    method: str, path: str, operation_id: str, status: int, ok: type[BaseModel] | None
) -> Callable[[View], View]:
    """Add a documented admin view (the function checked the admin token before routing).

    The view's docstring documents the operation: its first paragraph is the summary, the rest the description.
    """
    responses = {str(status): ok or _ANY, **ERRORS}
    return router.route(method, path, operation_id=operation_id, responses=responses, security=ADMIN)


CONTEXT = ("stores", "health_report", "alerts", "rooms", "clock")
"""The members of the composed App an admin view may name as parameters, besides ``service`` (provisioning)."""


def admin_context(app: App) -> dict[str, Any]:
    """What the admin views may name besides the request: the use cases and the stores of the composed ``app``."""
    return {"service": app.provisioning, **{name: getattr(app, name) for name in CONTEXT}}


def action(items: str, variable: str, verb: str) -> str:
    """The path of a custom method on one item: ``{items}/{variable}:{verb}``.

    The variable has a named converter (``string:``): with it the library reads the ``:verb`` suffix right.
    """
    return f"{items}/<string:{variable}>:{verb}"


router = Api(
    "admin_api",
    {
        "title": "Hybrid Calendar admin API",
        "version": shared.__version__,
        "description": "Orgs, users, rooms and room devices: activation with validation, error reasons, "
        "deactivation (the record stays visible until purged). "
        "IAM guards it in the cloud (send an ID token in X-Serverless-Authorization); the local "
        "runtime wants the admin token as a bearer token.",
    },
    {"adminToken": {"type": "http", "scheme": "bearer", "description": "HYBRIDCAL_ADMIN_TOKEN."}},
    security=ADMIN,
)
