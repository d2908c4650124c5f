"""The app API under /v1: what its routes need (``AppApi``), how they declare themselves (``op``), its OpenAPI.

The routes are by resource: ``app_meetings`` (my meetings, free/busy), ``app_me`` (profile, people,
delegates, presence, my stream), ``app_devices`` (a room's day, people and stream), ``app_rooms``
(check-in), ``app_conferences`` (the Calendar add-on); the web page and room display: ``app_pages``.

Every /v1 route declares who may call it; the wrapper authenticates before the view runs, so a
route cannot forget to (deny by default). Users reach only their own calendar and people of
their org; a device only its own room. Bad input answers 4xx with a JSON error, never a 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import flask

from shared.api import app_pages
from shared.api.app_routing import documented
from shared.api.app_routing import router as router  # the routes are on it once this module is imported
from shared.api.app_stream import StreamSettings
from shared.api.http import respond
from shared.api.routing import View
from shared.errors import Forbidden
from shared.ports.clock import Clock
from shared.ports.stores import Stores
from shared.services.auth import Authenticator, Caller, DevSignIn
from shared.services.broadcaster import Broadcaster
from shared.services.meetings_app import MeetingsApp
from shared.services.people import People

if TYPE_CHECKING:
    from shared.api.app_conferences import AddOnRoute
    from shared.services.rooms import RoomService


@dataclass
class AppApi:
    """What the routes need, built once per process by the composition root."""

    authenticator: Authenticator
    meetings: MeetingsApp
    stores: Stores
    clock: Clock
    broadcaster: Broadcaster
    dev: DevSignIn | None = None
    streams: StreamSettings = field(default_factory=StreamSettings)
    addon: AddOnRoute | None = None
    rooms: RoomService | None = None

    @cached_property
    def people(self) -> People:
        """The directory, presence and delegate use cases."""
        return People(self.stores.principals, self.stores.presence, self.meetings.sharing)

    def caller(self, request: flask.Request, auth: str, device_id: str | None) -> Caller | None:
        """Authenticate for a route that wants ``auth``; refuse anything else."""
        if auth == "none":
            return None
        caller = self.authenticator.authenticate(request.headers.get("Authorization"))
        if auth == "user" and caller.is_device:
            raise Forbidden("this route is for people, not devices", reason="wrong_caller")
        if auth == "device":
            if caller.device is None:
                raise Forbidden("this route is for room devices", reason="wrong_caller")
            if caller.device.id != device_id:
                raise Forbidden("a device sees only its own room", reason="other_device")
        return caller


def op(
    path: str, method: str, operation_id: str, auth: str, status: int = 200, ok: Any = None
) -> Callable[[View], View]:
    """Add an authenticated, documented /v1 view; it runs only after ``auth`` let the caller in.

    The view's docstring documents the operation: its first paragraph is the summary, the rest the description.
    """

    def guard(context: dict[str, Any], url: dict[str, str]) -> dict[str, Any]:
        return {"caller": context["api"].caller(flask.request, auth, url.get("device_id"))}

    return router.route(method, path, guard=guard, **documented(operation_id, auth, status, ok))


@router.route("GET", "/v1/openapi.json")
def openapi_json() -> flask.Response:
    """The OpenAPI 3.1 document."""
    return respond(router.document())


app_pages.register(router)
from shared.api import app_conferences, app_devices, app_me, app_meetings, app_rooms  # noqa: E402, F401  (their routes)
