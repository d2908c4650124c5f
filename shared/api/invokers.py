"""Who may call the functions that are not public, checked by each function itself.

In the cloud IAM stands in front of these functions too (the invoker role); the code checks
again, so a function reached some other way, or an IAM binding too wide, still refuses:

* ``admin_api`` takes the admin token, ``Authorization: Bearer <HYBRIDCAL_ADMIN_TOKEN>``
  (compared in constant time; in the cloud Secret Manager hands the token to the function as
  that variable, as ``infra/functions.tf`` declares). Cloud Run IAM reads its own ID token from
  ``X-Serverless-Authorization`` then, so both fit in one request.
* Scheduled and Pub/Sub functions take the admin token too (a run by hand), or the OIDC token
  their platform caller sends: a Google-signed ID token whose audience is
  ``HYBRIDCAL_INVOKER_AUDIENCE`` and whose email is one of ``HYBRIDCAL_INVOKERS`` (the Cloud
  Scheduler and Pub/Sub push service accounts).
* The local runtime's in-process calls carry :data:`TRUSTED` in the WSGI environ, after its own
  front door checked the admin token or because the runtime itself is the caller (its bus and
  scheduler). No HTTP client can set a WSGI environ key.

Every refusal is a 401 JSON body that says what to send; nothing is read from the request first.
"""

from __future__ import annotations

import hmac

import flask

from shared.api.http import error
from shared.bootstrap import App
from shared.errors import HybridCalendarError
from shared.logs import ctx, get_logger

log = get_logger(__name__)
TRUSTED = "hybridcal.trusted_caller"
_MAX_HEADER = 8192


def _bearer(request: flask.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or len(value) > _MAX_HEADER:
        return None
    return value


def _trusted(request: flask.Request) -> bool:
    return request.environ.get(TRUSTED) is True


def admin_token_matches(presented: str | None, expected: str | None) -> bool:
    """Whether ``presented`` is the admin token (constant time; never when no token is configured)."""
    if not expected or presented is None:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def _unauthenticated(message: str) -> flask.Response:
    return error("unauthenticated", message, 401)


def refuse_admin(request: flask.Request, app: App) -> flask.Response | None:
    """None when the caller holds the admin token; else the 401 to answer."""
    if _trusted(request) or admin_token_matches(_bearer(request), app.settings.admin_token):
        return None
    if not app.settings.admin_token:
        return _unauthenticated("the admin API is disabled: set HYBRIDCAL_ADMIN_TOKEN")
    return _unauthenticated("this function needs the admin token (Authorization: Bearer ...)")


def refuse_invoker(request: flask.Request, app: App, function: str) -> flask.Response | None:
    """None for the admin token or a platform caller's OIDC token for this function; else the 401 to answer."""
    if _trusted(request):
        return None
    token = _bearer(request)
    if admin_token_matches(token, app.settings.admin_token):
        return None
    verifier = app.invoker_verifier
    if token is None or not app.settings.invoker_audience:
        return _unauthenticated("this function needs its caller's OIDC token or the admin token (Authorization)")
    try:
        claims = verifier.claims(token)
    except HybridCalendarError as exc:
        log.warning("caller refused", extra=ctx(function=function, error_code=exc.code))
        return _unauthenticated("the caller's token does not verify for this function")
    email = str(claims.get("email") or "").lower()
    allowed = app.settings.invokers
    if claims.get("email_verified") is not True or (allowed and email not in allowed):
        log.warning("caller refused", extra=ctx(function=function, error_code="invoker_not_allowed"))
        return _unauthenticated("the caller's service account may not invoke this function")
    return None
