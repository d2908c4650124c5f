"""Secret Manager ``SecretManagerService`` over gRPC and REST.

Importing it imports ``grpc`` and ``google-cloud-secret-manager`` (the emulator's ``grpc``
extra): only a start that serves Secret Manager does.
"""

from __future__ import annotations

from emulator.secretmanager.rest import rest_blueprint
from emulator.secretmanager.service import SERVICE, SecretFault, SecretState, grpc_handler

__all__ = ["SERVICE", "SecretFault", "SecretState", "grpc_handler", "rest_blueprint"]
