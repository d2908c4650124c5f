"""The ``hybrid-calendar`` command: serve, emulator, demo, and the admin commands."""

from __future__ import annotations

import importlib
import json
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared import config
from shared.errors import ConfigError

app = typer.Typer(
    help="Hybrid Calendar: Google Workspace calendars to a meeting platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
orgs_app = typer.Typer(help="Manage organisations through the admin API.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users through the admin API.", no_args_is_help=True)
rooms_app = typer.Typer(help="Manage rooms through the admin API.", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(rooms_app, name="rooms")
console = Console()
err_console = Console(stderr=True)


def _settings() -> config.Settings:
    try:
        return config.load()
    except ConfigError as exc:
        err_console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run every function of the service in one process (the local runtime)."""
    from shared import logs
    from shared.bootstrap import build
    from shared.runtime.server import LocalRuntime, RuntimeServer

    settings = _settings()
    settings = settings.with_overrides(host=host or settings.host, port=port or settings.port)
    logs.configure(settings.log_level)
    server = RuntimeServer(LocalRuntime(build(settings)), settings.host, settings.port)
    console.print(f"Hybrid Calendar serving on {server.url} (backend: {settings.backend})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("Stopping.")
    finally:
        server.runtime.close()


@app.command()
def emulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8086,
) -> None:
    """Run the Google Workspace emulator (Calendar v3, Gmail settings, OAuth2)."""
    try:
        serve_emulator = importlib.import_module("emulator.server").serve
    except (ImportError, AttributeError):
        err_console.print("[red]error:[/] the Google emulator is not part of this build")
        raise typer.Exit(1) from None
    console.print(f"Google Workspace emulator on http://{host}:{port}")
    try:
        serve_emulator(host, port)
    except KeyboardInterrupt:
        console.print("Stopping.")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the local runtime.")] = 8080,
    emulator_port: Annotated[int, typer.Option(help="Port of the Google emulator.")] = 8086,
    once: Annotated[bool, typer.Option("--once", help="Exit 0 after the narration.")] = False,
) -> None:
    """Run the whole service end to end on the embedded default, narrated."""
    from shared.runtime.demo import run

    raise typer.Exit(run(port=port, emulator_port=emulator_port, once=once, console=console))


# ---------------------------------------------------------------- admin API client


def _admin(method: str, path: str, *, url: str | None, token: str | None, body: Any = None) -> Any:
    settings = _settings()
    base = url or settings.public_url or f"http://{settings.host}:{settings.port}"
    token = token or settings.admin_token
    if not token:
        err_console.print("[red]error:[/] set HYBRIDCAL_ADMIN_TOKEN or pass --token")
        raise typer.Exit(2)
    try:
        response = httpx.request(
            method, f"{base}/admin/v1{path}", json=body, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError as exc:
        err_console.print(f"[red]error:[/] cannot reach the admin API at {base}: {type(exc).__name__}")
        raise typer.Exit(1) from None
    try:
        payload = response.json()
    except ValueError:
        payload = {"error": {"message": response.text[:200]}}
    if response.status_code >= 400:
        message = payload.get("error", {}).get("message", "request failed") if isinstance(payload, dict) else ""
        err_console.print(f"[red]error:[/] admin API answered {response.status_code}: {message}")
        raise typer.Exit(1)
    return payload


UrlOpt = Annotated[str | None, typer.Option("--url", help="Base URL of the service.")]
TokenOpt = Annotated[str | None, typer.Option("--token", help="Admin token.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _print(payload: Any, as_json: bool, columns: list[str], key: str) -> None:
    if as_json:
        console.print_json(json.dumps(payload))
        return
    rows = payload.get(key, []) if isinstance(payload, dict) else []
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(table)


@orgs_app.command("list")
def orgs_list(url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """List organisations."""
    _print(_admin("GET", "/orgs", url=url, token=token), as_json, ["id", "domain"], "orgs")


@users_app.command("list")
def users_list(org: str, url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """List the users of an organisation."""
    payload = _admin("GET", f"/orgs/{org}/principals?kind=person", url=url, token=token)
    _print(payload, as_json, ["email", "state", "reason"], "principals")


@rooms_app.command("list")
def rooms_list(org: str, url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """List the rooms of an organisation."""
    payload = _admin("GET", f"/orgs/{org}/principals?kind=room", url=url, token=token)
    _print(payload, as_json, ["email", "state", "reason"], "principals")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
