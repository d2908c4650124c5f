"""Errors inside /v1 and /admin/v1 are JSON (404, 405, odd paths) with the status one table gives."""

from __future__ import annotations

from collections.abc import Iterator

import functions_framework
import pydantic
import pytest
from flask.testing import FlaskClient
from werkzeug.test import Client

from shared.adapters.bus.local import LocalBus
from shared.api import admin as admin_routes
from shared.api import app as app_routes
from shared.api.app_models import ErrorOut
from shared.api.http import status_for
from shared.api.params import EventPath
from shared.api.routing import Api
from shared.bootstrap import App, build, set_app
from shared.clock import ManualClock
from shared.config import Settings
from shared.errors import (
    Conflict,
    CredentialsUnavailable,
    DelegationDenied,
    Forbidden,
    HybridCalendarError,
    IntegrityError,
    InvalidInput,
    LeaseHeld,
    NotFound,
    NotImplementedCapability,
    PreconditionFailed,
    RateLimited,
    SyncTokenExpired,
    Unauthenticated,
    Unavailable,
)
from shared.runtime.server import LocalRuntime, main_source

# Paths Werkzeug cannot route (a newline, a carriage return, a tab) as well as unknown ones.
ODD = ("/nope", "/me/meetings/%0A", "/me/%0D%0Ax", "/%09", "/orgs/%0A/principals")


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> Iterator[App]:
    application = build(settings, clock=clock, bus=LocalBus(workers=1))
    set_app(application)
    yield application
    set_app(None)
    application.close()


def _client(app: App, target: str) -> FlaskClient:
    client = functions_framework.create_app(target=target, source=main_source()).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {app.settings.admin_token}"
    return client


def _assert_json_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str)


@pytest.mark.parametrize(("target", "base"), [("meetings_api", "/v1"), ("admin_api", "/admin/v1")])
@pytest.mark.parametrize("tail", ODD)
def test_unknown_and_odd_paths_are_json_404(app: App, target: str, base: str, tail: str) -> None:
    """Every path the API does not serve, even one Werkzeug cannot route, answers a JSON 404."""
    _assert_json_error(_client(app, target).get(base + tail), 404, "not_found")


@pytest.mark.parametrize(("target", "path"), [("meetings_api", "/v1/me/meetings"), ("admin_api", "/admin/v1/orgs")])
def test_wrong_method_is_json_405(app: App, target: str, path: str) -> None:
    """A method a route does not take answers a JSON 405."""
    _assert_json_error(_client(app, target).put(path), 405, "method_not_allowed")


@pytest.mark.parametrize("path", ["/v1/me/meetings/%0A", "/admin/v1/orgs/%0A"])
def test_the_local_runtime_answers_odd_paths_with_json(app: App, path: str) -> None:
    """Through the local runtime's front door the same odd paths answer a JSON 404."""
    runtime = LocalRuntime(app, scheduler=False)
    headers = {"Authorization": f"Bearer {app.settings.admin_token}"}
    response = Client(runtime).get(path, headers=headers)
    _assert_json_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x"), 400),
        (SyncTokenExpired("x"), 400),
        (IntegrityError("x"), 400),
        (Unauthenticated("x"), 401),
        (CredentialsUnavailable("x"), 401),
        (Forbidden("x"), 403),
        (DelegationDenied("x", client_id="1", scopes=()), 403),
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (PreconditionFailed("x"), 412),
        (NotImplementedCapability("x"), 501),
        (Unavailable("x"), 503),
        (RateLimited("x"), 503),
        (LeaseHeld("x"), 503),
        (HybridCalendarError("x"), 400),
    ],
)
def test_status_for_maps_the_error_tree(error: HybridCalendarError, status: int) -> None:
    """One table gives the HTTP status of each kind of error, the most specific kind first."""
    assert status_for(error) == status


@pytest.mark.parametrize(("target", "path"), [("meetings_api", "/v1/me/meetings"), ("admin_api", "/admin/v1/orgs")])
def test_options_is_json_405_and_a_trailing_slash_still_routes(app: App, target: str, path: str) -> None:
    """OPTIONS is not answered by the framework (405 JSON, as before), and ``path/`` reaches ``path``'s route."""
    client = _client(app, target)
    _assert_json_error(client.options(path), 405, "method_not_allowed")
    assert client.get(path + "/").status_code == client.get(path).status_code


@pytest.mark.parametrize("router", [app_routes.router, admin_routes.router], ids=["v1", "admin"])
def test_the_librarys_validation_errors_are_our_400(router: Api) -> None:
    """flask-openapi3 answers a parameter that fails its model with our ErrorOut body and a 400."""
    served = router.app()
    assert served.validation_error_status == "400"
    try:
        EventPath.model_validate({"event_id": ""})
    except pydantic.ValidationError as exc:
        with served.test_request_context("/v1/me/meetings/x"):
            response = served.validation_error_callback(exc)
    _assert_json_error(response, 400, "invalid_input")
    assert response.get_json()["error"]["message"].startswith("event_id: ")
    ErrorOut.model_validate(response.get_json())
