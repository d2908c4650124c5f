"""Text encoding of document values for stores without native types (SQLite's JSON).

Datetimes and bytes become tagged strings that keep their order under string comparison:
``"\\u0001t:2026-11-24T10:00:00.000000Z"`` and ``"\\u0001b:<base64>"``. Every other value is
plain JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.documents import is_aware

_DT = "\u0001t:"
_BYTES = "\u0001b:"


def encode_value(value: Any) -> Any:
    """Turn a document value into a JSON-compatible value."""
    if isinstance(value, datetime):
        if not is_aware(value):
            raise ValueError("naive datetime in a document")
        return _DT + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, bytes | bytearray):
        return _BYTES + base64.b64encode(bytes(value)).decode()
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"unsupported document value type {type(value).__name__}")


def decode_value(value: Any) -> Any:
    """Invert ``encode_value``."""
    if isinstance(value, str):
        if value.startswith(_DT):
            return datetime.fromisoformat(value[len(_DT) :])  # written as UTC with "Z": an aware UTC value
        if value.startswith(_BYTES):
            return base64.b64decode(value[len(_BYTES) :])
        return value
    if isinstance(value, dict):
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value
