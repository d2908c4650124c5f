"""The ``google-emulator`` command: serve the emulator's surfaces until Ctrl-C.

``google-emulator --surfaces calendar,gmail`` serves only those (and the always-on identity and
control plane) and never imports ``grpc``; Cloud KMS and Secret Manager (the ``grpc`` extra) are
served by default when that extra is installed, over gRPC on ``--kms-port`` (default ``--port`` + 1).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence

from emulator.app import GRPC_SURFACES, SURFACES


def grpc_installed() -> bool:
    """Whether the ``grpc`` extra (grpcio, google-cloud-kms, google-cloud-secret-manager) is installed."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("grpc", "google.cloud.kms_v1"))
    except ModuleNotFoundError:
        return False


def default_surfaces() -> tuple[str, ...]:
    """Every surface whose dependencies are installed."""
    return tuple(name for name in SURFACES if name not in GRPC_SURFACES or grpc_installed())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="google-emulator", description="Serve the Google emulator until Ctrl-C.")
    parser.add_argument("--host", default="127.0.0.1", metavar="HOST", help="address to listen on")
    parser.add_argument("--port", type=int, default=8086, metavar="PORT", help="HTTP port (default 8086)")
    parser.add_argument(
        "--kms-port", type=int, metavar="PORT", help="gRPC port of Cloud KMS and Secret Manager (default --port + 1)"
    )
    parser.add_argument(
        "--surfaces",
        metavar="NAMES",
        help=f"comma-separated surfaces to serve, of {','.join(SURFACES)} (default: every installed one)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and serve; return the exit status (2 for a bad option, 1 when a port is taken)."""
    parser = _parser()
    args = parser.parse_args(argv)
    surfaces = default_surfaces() if args.surfaces is None else tuple(filter(None, args.surfaces.split(",")))
    unknown = [name for name in surfaces if name not in SURFACES]
    if unknown or not surfaces:
        parser.error(f"unknown surface(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(SURFACES)}")
    wants_grpc = set(surfaces) >= GRPC_SURFACES
    if set(surfaces) & GRPC_SURFACES and not grpc_installed():
        parser.error("Cloud KMS and Secret Manager need the grpc extra: pip install 'google-workspace-emulator[grpc]'")
    kms_port = (args.port + 1 if args.kms_port is None else args.kms_port) if wants_grpc else None
    from emulator.server import serve

    try:
        serve(args.host, args.port, kms_port, surfaces)
    except (OSError, SystemExit) as exc:
        print(f"google-emulator cannot listen on {args.host}: {exc or 'the port is in use'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
