"""The web page at /app and the room display at /device: static files, local sign-in, device session.

Registered on the app API's router by ``register``; the pages are plain HTML, CSS and scripts
from ``shared/web`` (no build step). The local sign-in is offered only against the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import flask

from shared.api.app_models import SignInIn, iso
from shared.api.http import parse, respond
from shared.api.routing import Api
from shared.errors import Forbidden, NotFound
from shared.services.join_buttons import lead_for
from shared.services.meetings_app import zone_of

if TYPE_CHECKING:
    from shared.api.app import AppApi

WEB = Path(__file__).resolve().parent.parent / "web"
ASSETS = dict.fromkeys(("app.css", "device.css"), "text/css")
BUNDLES = {"app.js": ("hc.js", "agenda.js", "tools.js", "app.js"), "device.js": ("hc.js", "device.js")}
"""Each page loads one script: its source files joined in order (one request instead of four)."""
_ROUTES: list[tuple[str, list[str], Callable[..., flask.Response]]] = []


def _route(path: str, methods: list[str]) -> Callable[[Callable[..., flask.Response]], Callable[..., flask.Response]]:
    def remember(view: Callable[..., flask.Response]) -> Callable[..., flask.Response]:
        _ROUTES.append((path, methods, view))
        return view

    return remember


def register(router: Api) -> None:
    """Add the page routes to ``router`` (undocumented: they are not part of the API)."""
    for path, methods, view in _ROUTES:
        for method in methods:
            router.route(method, path)(view)


def _asset(name: str, mimetype: str, body: bytes | None = None) -> flask.Response:
    response = flask.Response((WEB / name).read_bytes() if body is None else body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' https://accounts.google.com; frame-src https://accounts.google.com;"
            " style-src 'self' https://accounts.google.com; connect-src 'self'; img-src 'self' data:"
        )
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@_route("/app", ["GET"])
def page(request: flask.Request, api: AppApi) -> flask.Response:
    """The web page."""
    return _asset("app.html", "text/html")


@_route("/device", ["GET"])
def device_page(request: flask.Request, api: AppApi) -> flask.Response:
    """The room display."""
    return _asset("device.html", "text/html")


@_route("/app/<name>", ["GET"])
@_route("/device/<name>", ["GET"])
def asset(request: flask.Request, api: AppApi, name: str) -> flask.Response:
    """A page's script or a stylesheet."""
    if name in BUNDLES:
        return _asset(name, "text/javascript", b"\n".join((WEB / part).read_bytes() for part in BUNDLES[name]))
    if name not in ASSETS:
        raise NotFound("no such file")
    return _asset(name, ASSETS[name])


@_route("/app/config", ["GET"])
def page_config(request: flask.Request, api: AppApi) -> flask.Response:
    """What the page needs to sign in, with the sign-in page's strings in the browser's language."""
    from shared import i18n
    from shared.api.app_me import page_strings

    dev = api.dev is not None and api.dev.available
    offered = [lang.replace("_", "-") for lang in i18n.available(i18n.WEB)]
    tag, language, strings = page_strings(request.accept_languages.best_match(offered) or "en")
    return respond(
        {
            "dev_sign_in": dev,
            "client_id": api.authenticator.verifier.audience,
            "locale": tag,
            "language": language,
            "strings": strings,
        }
    )


@_route("/app/dev/users", ["GET"])
def dev_users(request: flask.Request, api: AppApi) -> flask.Response:
    """The emulator's users to choose from (only against the emulator)."""
    if api.dev is None:
        raise NotFound("development sign-in is off")
    return respond({"users": api.dev.users()})


@_route("/app/dev/sign-in", ["POST"])
def dev_sign_in(request: flask.Request, api: AppApi) -> flask.Response:
    """An emulator ID token for the chosen user (only against the emulator)."""
    if api.dev is None:
        raise NotFound("development sign-in is off")
    body = parse(SignInIn, request)
    return respond({"id_token": api.dev.sign_in(body.email)})


@_route("/device/session", ["GET"])
def device_session(request: flask.Request, api: AppApi) -> flask.Response:
    """Which device this token belongs to: its room's name, time zone, language, strings, the time and today.

    ``today`` is the room's meeting list for today (as ``/v1/devices/{id}/meetings`` answers it), so a
    display paints its day after one round trip.
    """
    caller = api.authenticator.authenticate(request.headers.get("Authorization"))
    if caller.device is None:
        raise Forbidden("this is for room devices", reason="wrong_caller")
    from shared.api.app_me import page_strings
    from shared.api.app_meetings import listing

    room = caller.principal
    tag, language, strings = page_strings(room.locale or caller.org.default_locale)
    return respond(
        {
            "device_id": caller.device.id,
            "name": caller.device.name,
            "room": room.name or room.email.partition("@")[0],
            "lead_minutes": int(lead_for(caller.org, room).total_seconds() // 60),
            "time_zone": zone_of(room.time_zone).key,
            "locale": tag,
            "language": language,
            "now": iso(api.clock.now()),
            "strings": strings,
            "today": listing(api, caller, {}),
        }
    )
