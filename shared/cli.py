"""The ``hybrid-calendar`` command: serve, emulator, demo, and the admin commands (``shared/cli_admin.py``)."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer
from rich.console import Console

from shared import config
from shared.cli_admin import orgs_app
from shared.cli_principals import rooms_app, users_app
from shared.errors import ConfigError

app = typer.Typer(
    help="Hybrid Calendar: Google Workspace calendars to a meeting platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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
    kms_port: Annotated[
        int | None,
        typer.Option(help="Port of Cloud KMS and Secret Manager over gRPC (default: --port + 1; 0 picks a free one)."),
    ] = None,
) -> None:
    """Run the Google Workspace emulator (Calendar v3, Gmail settings, OAuth2, OIDC, Cloud KMS, Secret Manager)."""
    try:
        serve_emulator = importlib.import_module("emulator.server").serve
    except (ImportError, AttributeError):
        err_console.print("[red]error:[/] the Google emulator is not part of this build")
        raise typer.Exit(1) from None
    console.print(f"Google Workspace emulator on http://{host}:{port}")
    try:
        serve_emulator(host, port, port + 1 if kms_port is None else kms_port)
    except KeyboardInterrupt:
        console.print("Stopping.")
    except OSError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the local runtime.")] = 8080,
    emulator_port: Annotated[int, typer.Option(help="Port of the Google emulator.")] = 8086,
    once: Annotated[bool, typer.Option("--once", help="Exit 0 after the narration.")] = False,
) -> None:
    """Run the whole service end to end on the embedded default, narrated."""
    from shared.runtime.demo import run

    raise typer.Exit(run(port=port, emulator_port=emulator_port, once=once, console=console))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
