"""``POST /v1/conferences``: the Calendar add-on asks for an event's meeting (the add-on's contract).

The caller is the user, with a Google ID token verified like the app's whose audience may also be
one of ``HYBRIDCAL_ADDON_CLIENT_IDS`` (the add-on's Cloud project), on this route only. Errors use
the codes the add-on maps onto Calendar's conference errors: ``invalid_input`` (400),
``unauthenticated`` (401), ``forbidden`` or ``not_activated`` (403, the latter with the
``settings_url`` a user fixes their account at), ``not_found`` (404), ``conflict`` or
``solution_not_offered`` (409), and 429 or 503 for a retry later. Registered on the app API's
router when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from typing import Any, Literal

import flask
import msgspec
from pydantic import BaseModel, Field

from shared.api.app_models import Strict
from shared.api.app_routing import documented, router
from shared.api.http import respond, status_for
from shared.config import Settings
from shared.errors import (
    Forbidden,
    HybridCalendarError,
    NotImplementedCapability,
    RateLimited,
    RetryableError,
    Unauthenticated,
)
from shared.logs import ctx, get_logger
from shared.ports.identity import IdentityVerifier
from shared.ports.stores import Stores
from shared.services.auth import Authenticator, Caller
from shared.services.conferences import ConferenceService, NotActivated

log = get_logger(__name__)
PATH = "/v1/conferences"
NOT_ACTIVE = frozenset({"not_activated", "org_unknown"})
HINTS = {
    "not_activated": "Ask your admin to activate you for Hybrid Calendar (hybrid-calendar users activate).",
    "unauthenticated": "Sign in again; the service must accept the add-on's client id (HYBRIDCAL_ADDON_CLIENT_IDS).",
    "not_organiser": "Only the organiser adds a conference to an event.",
    "other_calendar": "Open the event on your own calendar.",
    "solution_not_offered": "Your organisation offers the keywords `orgs show` lists; pick another option.",
}


class ConferenceIn(Strict):
    """The add-on's request: which event, which conference solution, and its request id."""

    calendar_id: str = Field(min_length=3, max_length=254, pattern=r"^[^\s@]+@[^\s@]+$")
    event_id: str = Field(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_\-]+$")
    solution: Literal["webex_personal_room", "webex_space"]
    request_id: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")


class EntryPointOut(BaseModel):
    """One way into the conference (Calendar's entry point)."""

    type: Literal["video", "sip", "phone", "more"]
    uri: str
    label: str | None = None
    pin: str | None = None
    passcode: str | None = None
    password: str | None = None
    access_code: str | None = None
    meeting_code: str | None = None
    region_code: str | None = None
    features: list[Literal["toll", "toll_free"]] | None = None


class ConferenceOut(BaseModel):
    """The conference Calendar shows as the event's join chip."""

    conference_id: str
    solution: Literal["webex_personal_room", "webex_space"]
    entry_points: list[EntryPointOut]
    notes: str
    parameters: dict[str, str]


class AddOnRoute(msgspec.Struct, frozen=True):
    """What the route needs: its authenticator, the use case and the page users fix their account at."""

    authenticator: Authenticator
    conferences: ConferenceService
    settings_url: str | None

    @classmethod
    def build(
        cls, settings: Settings, stores: Stores, verifier: IdentityVerifier, service: ConferenceService
    ) -> AddOnRoute:
        """Wire the route with its own verifier (the add-on's client ids accepted as audiences too)."""
        url = f"{settings.public_url}/app" if settings.public_url else None
        return cls(Authenticator(stores.orgs, stores.principals, stores.devices, verifier), service, url)


def _caller(route: AddOnRoute, header: str | None) -> Caller:
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("sign in: send Authorization: Bearer <Google ID token>")
    return route.authenticator.authenticate(header)


def _error(route: AddOnRoute | None, exc: HybridCalendarError) -> flask.Response:
    extra: dict[str, Any] = {}
    reason = getattr(exc, "reason", None)
    code, status = exc.code, status_for(exc)
    if isinstance(exc, NotActivated) or (isinstance(exc, Forbidden) and reason in NOT_ACTIVE):
        code, status = "not_activated", 403
    elif isinstance(exc, Forbidden):
        code = "forbidden"
    elif isinstance(exc, Unauthenticated):
        code = "unauthenticated"
    elif isinstance(exc, RateLimited):
        status = 429
    elif isinstance(exc, RetryableError | NotImplementedCapability):
        code, status = "unavailable", 503
    if code in ("not_activated", "unauthenticated") and route is not None and route.settings_url:
        extra["settings_url"] = route.settings_url
    hint = HINTS.get(code) or HINTS.get(str(reason))
    if hint:
        extra["hint"] = hint
    response = respond({"error": {"code": code, "message": exc.message, **extra}}, status)
    retry = getattr(exc, "retry_after", None)
    if status in (429, 503):
        response.headers["Retry-After"] = str(max(1, int(retry or 1)))
    if status >= 500:
        log.warning("conference call failed", extra=ctx(api="conferences", error_code=exc.code))
    return response


def _body(answer: Any) -> dict[str, Any]:
    return {
        "conference_id": answer.conference_id,
        "solution": answer.solution,
        "entry_points": answer.entry_points,
        "notes": answer.notes,
        "parameters": answer.parameters,
    }


def _guard(context: dict[str, Any], url: dict[str, str]) -> dict[str, Any]:
    route = context["api"].addon
    if route is None:
        raise NotImplementedCapability("the add-on's conferences (Google API access)")
    return {"caller": _caller(route, flask.request.headers.get("Authorization")), "route": route}


@router.route(
    "POST",
    PATH,
    guard=_guard,
    errors=lambda context, exc: _error(context["api"].addon, exc),
    **documented(
        "createConference",
        "user",
        200,
        ConferenceOut,
    ),
)
def create_conference(route: AddOnRoute, caller: Caller, body: ConferenceIn) -> flask.Response:
    """The Calendar add-on's conference for an event: its meeting, made if it has none (same as the keyword's).

    Get or create the event's meeting for the add-on.
    """
    answer = route.conferences.conference(
        caller.org, caller.principal, body.calendar_id, body.event_id, body.solution, body.request_id
    )
    return respond(_body(answer), 200)
