"""Cloud KMS ``KeyManagementService`` (Encrypt, Decrypt) over gRPC and REST.

Importing it imports ``grpc`` and ``google-cloud-kms`` (the emulator's ``grpc`` extra): only a
start that serves Cloud KMS does.
"""

from __future__ import annotations

from emulator.kms.service import SERVICE, KmsEmulator, KmsFault, KmsState, crc32c, grpc_handler, kms_blueprint

__all__ = ["SERVICE", "KmsEmulator", "KmsFault", "KmsState", "crc32c", "grpc_handler", "kms_blueprint"]
