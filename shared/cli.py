"""The ``hybrid-calendar`` command: serve, emulator, dev, demo, and the admin commands (orgs, users, rooms, jobs)."""

from __future__ import annotations

import gc
import importlib
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from shared import cli_health, config
from shared.cli_admin import admin_command, fail
from shared.cli_deadletters import dead_letters
from shared.cli_help import Typer
from shared.cli_jobs import jobs_app
from shared.cli_orgs import orgs_app
from shared.cli_output import out, say
from shared.cli_principals import rooms_app, users_app
from shared.errors import ConfigError

app = Typer(
    help="Hybrid Calendar: Google Workspace calendars to a meeting platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(rooms_app, name="rooms")
app.add_typer(jobs_app, name="jobs")
admin_command(app, "dead-letters")(dead_letters)
assert cli_health.alerts_app  # `orgs health` and `orgs alerts` register on import
HostOpt = Annotated[str | None, typer.Option(metavar="HOST", help="Address to listen on.")]


def _settings() -> config.Settings:
    try:
        return config.load()
    except ConfigError as exc:
        raise fail(exc.message, 2) from None


@app.command()
def serve(
    host: HostOpt = None,
    port: Annotated[int | None, typer.Option(metavar="PORT", help="Port to listen on.")] = None,
) -> None:
    """Run every function of the service in one process (the local runtime)."""
    from shared import logs
    from shared.bootstrap import build
    from shared.runtime.listen import ListenError, bind, stop_on_sigterm
    from shared.runtime.server import LocalRuntime, RuntimeServer

    settings = _settings()
    settings = settings.with_overrides(host=host or settings.host, port=port or settings.port)
    logs.configure(settings.log_level)
    try:
        runtime = LocalRuntime(build(settings))
    except ConfigError as exc:  # a missing or unusable key file, a foreign file, a data dir in use: one line
        raise fail(f"{exc.message}; not starting", 2) from None
    try:
        server = bind(
            "the service", settings.host, settings.port, lambda: RuntimeServer(runtime, settings.host, settings.port)
        )
    except ListenError as exc:
        runtime.close()
        raise fail(exc.message) from None
    say(f"Hybrid Calendar serving on {server.url} (backend: {settings.backend})")
    stop_on_sigterm()
    gc.freeze()  # what start-up built lives as long as the process: keep it out of every collection
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out().print("Stopping.")
    finally:
        server.runtime.close()


@app.command()
def emulator(
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8086,
    kms_port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT", help="Port of Cloud KMS and Secret Manager over gRPC (default: --port + 1; 0 picks one)."
        ),
    ] = None,
) -> None:
    """Run the Google Workspace emulator (Calendar v3, Gmail settings, OAuth2, OIDC, Cloud KMS, Secret Manager)."""
    from shared.runtime.listen import ListenError, bind, probe

    try:
        serve_emulator = importlib.import_module("emulator.server").serve
    except (ImportError, AttributeError):
        raise fail("the Google emulator is not part of this build") from None
    try:
        grpc_port = port + 1 if kms_port is None else kms_port
        probe("the Google emulator", host, port)  # the port the user named is checked first
        probe("Cloud KMS and Secret Manager (gRPC)", host, grpc_port)
        bind("the Google emulator", host, port, lambda: serve_emulator(host, port, grpc_port))  # prints its banner
    except ListenError as exc:
        raise fail(exc.message) from None
    except KeyboardInterrupt:
        out().print("Stopping.")


@app.command()
def dev(
    port: Annotated[int | None, typer.Option(metavar="PORT", help="Port of the service (default 8080).")] = None,
    emulator_port: Annotated[int, typer.Option(metavar="PORT", help="Port of the Google emulator.")] = 8086,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", file_okay=False, help="Where the data, key file and dev.env go (default: DATA_DIR/dev)."
        ),
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Also create an org with its people, a room and a device.")
    ] = False,
    at: Annotated[
        datetime | None,
        typer.Option(metavar="TIME", formats=["%Y-%m-%dT%H:%M:%S%z"], help="Start both clocks at this instant."),
    ] = None,
) -> None:
    """Run the Google emulator and the service wired together, with a key file and dev.env to drive them by hand."""
    from shared.runtime import dev as dev_runtime
    from shared.runtime.listen import ListenError

    settings = _settings()
    try:
        code = dev_runtime.run(
            data_dir=data_dir or settings.data_dir / "dev",
            port=port or settings.port,
            emulator_port=emulator_port,
            sample=sample,
            at=at,
            console=out(),
        )
    except ListenError as exc:
        raise fail(exc.message) from None
    raise typer.Exit(code)


@app.command()
def demo(
    port: Annotated[int, typer.Option(metavar="PORT", help="Port of the local runtime.")] = 8080,
    emulator_port: Annotated[int, typer.Option(metavar="PORT", help="Port of the Google emulator.")] = 8086,
    once: Annotated[bool, typer.Option("--once", help="Exit 0 after the narration.")] = False,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the demo's data directory after it ends.")] = False,
) -> None:
    """Run the whole service end to end on the embedded default, narrated."""
    from shared.runtime.demo import run
    from shared.runtime.listen import ListenError

    settings = _settings()
    base = settings.data_dir if config.is_set("HYBRIDCAL_DATA_DIR") else None
    try:
        code = run(port=port, emulator_port=emulator_port, once=once, console=out(), base=base, keep=keep)
    except ListenError as exc:
        raise fail(exc.message) from None
    raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
