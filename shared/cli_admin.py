"""What the admin commands of ``hybrid-calendar`` share: options, the admin-API client, errors.

The commands (``orgs``, ``users``, ``rooms``, ``rooms devices``, ``jobs``) print human output by
default and JSON with ``--json``. An error of the API (unknown org or principal, bad input, a
conflict) prints its message and exits 1; usage errors exit 2.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlparse

import httpx
import msgspec
import typer

from shared import config
from shared.cli_output import error_line
from shared.errors import ConfigError

UrlOpt = Annotated[
    str | None, typer.Option("--url", metavar="URL", help="Base URL of the service (default: from settings).")
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", metavar="TOKEN", help="Admin token (default: HYBRIDCAL_ADMIN_TOKEN).")
]
IdTokenOpt = Annotated[
    str | None,
    typer.Option("--id-token", metavar="JWT", help="ID token for Cloud Run IAM, sent as X-Serverless-Authorization."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
OrgArg = Annotated[str, typer.Argument(metavar="ORG", help="The org id (e.g. example-com).")]
EmailArg = Annotated[str, typer.Argument(metavar="EMAIL", help="The principal's email address.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error and return the Exit to raise."""
    error_line(message)
    return typer.Exit(code)


class Answer(msgspec.Struct, frozen=True):
    """One answer of the service."""

    status: int
    body: Any

    @property
    def message(self) -> str:
        """The error message of a failed call."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return str(error.get("message", "request failed")) if isinstance(error, dict) else "request failed"


@dataclass(slots=True)
class AdminClient:
    """Calls the service (``/admin/v1`` unless told otherwise) with the admin token and an IAM ID token."""

    base: str
    headers: dict[str, str]
    prefix: str = "/admin/v1"
    _http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=f"{self.base}{self.prefix}", headers=self.headers, timeout=60)

    def send(self, method: str, path: str, body: Any = None) -> Answer:
        """Send one request; exit 1 when the service cannot be reached."""
        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise fail(f"cannot reach the service at {self.base}: {type(exc).__name__}") from None
        try:
            payload = response.json()
        except ValueError:
            payload = {"error": {"message": response.text[:200] or f"HTTP {response.status_code}"}}
        return Answer(response.status_code, payload)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request; on an error answer print its message and exit 1."""
        answer = self.send(method, path, body)
        if answer.status >= 400:
            raise fail(f"{answer.message} (HTTP {answer.status})")
        return answer.body

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def connect(url: str | None, token: str | None, id_token: str | None, *, prefix: str = "/admin/v1") -> AdminClient:
    """An AdminClient from the options, falling back to the settings."""
    try:
        settings = config.load()
    except ConfigError as exc:
        raise fail(exc.message, 2) from None
    token = token or settings.admin_token
    if not token:
        raise fail("set HYBRIDCAL_ADMIN_TOKEN or pass --token", 2)
    headers = {"Authorization": f"Bearer {token}"}
    if id_token:
        headers["X-Serverless-Authorization"] = f"Bearer {id_token}"
    base = (url or settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    try:
        parsed = urlparse(base)
        valid = parsed.scheme in ("http", "https") and bool(parsed.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise fail(f"--url must be an http(s) URL such as https://admin.example.com; got {base!r}", 2)
    return AdminClient(base, headers, prefix)


def principal_path(org: str, email: str = "", suffix: str = "") -> str:
    """The API path of an org's principals (or one of them)."""
    path = f"/orgs/{quote(org, safe='')}/principals"
    return f"{path}/{quote(email, safe='@')}{suffix}" if email else path


def emit_json(payload: Any) -> None:
    """Print JSON (plain, never wrapped)."""
    typer.echo(json.dumps(payload, indent=2, default=str))


@dataclass(slots=True)
class Admin:
    """What an admin command gets from the options every one of them takes: a client (made on first use), ``--json``."""

    url: str | None
    token: str | None
    id_token: str | None
    as_json: bool = False
    prefix: str = "/admin/v1"
    _client: AdminClient | None = None

    @property
    def client(self) -> AdminClient:
        """The admin-API client of the options (the settings fill in what they leave out)."""
        if self._client is None:
            self._client = connect(self.url, self.token, self.id_token, prefix=self.prefix)
        return self._client

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request; on an error answer print its message and exit 1."""
        return self.client.call(method, path, body)

    def show(self, payload: Any, human: Callable[[Any], None]) -> None:
        """Print ``payload`` as JSON with ``--json``, else the way ``human`` prints it."""
        if self.as_json:
            emit_json(payload)
        else:
            human(payload)

    def close(self) -> None:
        """Close the client, if one was made."""
        if self._client is not None:
            self._client.close()


C = TypeVar("C", bound=Callable[..., None])
_CONNECTION = (("url", UrlOpt, None), ("token", TokenOpt, None), ("id_token", IdTokenOpt, None))
_JSON = ("as_json", JsonOpt, False)


def admin_command(
    app: typer.Typer, name: str, *, as_json: bool = True, help: str | None = None, prefix: str = "/admin/v1"
) -> Callable[[C], C]:
    """Add ``command(admin, ...)`` to ``app`` as ``name``: its own arguments, then ``--url``, ``--token``,
    ``--id-token`` (and ``--json``), from which it gets its :class:`Admin` (calling below ``prefix``); the
    connection closes after it.
    """

    def add(command: C) -> C:
        own = list(inspect.signature(command, eval_str=True).parameters.values())[1:]
        options = [*_CONNECTION, _JSON] if as_json else list(_CONNECTION)
        added = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in options]

        def run(**given: Any) -> None:
            url, token, id_token = (given.pop(n) for n, _, _ in _CONNECTION)
            admin = Admin(url, token, id_token, given.pop("as_json", False), prefix)
            try:
                command(admin, **given)
            finally:
                admin.close()

        functools.update_wrapper(run, command)
        del run.__wrapped__  # type: ignore[attr-defined]  # typer reads the signature below, not the command's
        parameters = own + added
        run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        app.command(name, help=help)(run)
        return command

    return add
