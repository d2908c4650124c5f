"""Text encoding of document values for stores without native types (SQLite's JSON).

Datetimes and bytes become tagged strings that keep their order under string comparison:
``"\\u0001t:2026-11-24T10:00:00.000000Z"`` and ``"\\u0001b:<base64>"``. Every other value is
plain JSON. ``document_text`` and ``document_from_text`` are the whole-document forms the SQLite
store uses (orjson, tags decoded in place on the freshly parsed value).
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from shared.documents import is_aware

_DT = "\u0001t:"
_BYTES = "\u0001b:"
_fromisoformat = datetime.fromisoformat


def encode_value(value: Any) -> Any:
    """Turn a document value into a JSON-compatible value."""
    kind = value.__class__
    if kind is str or kind is int or kind is bool or value is None:  # most values: nothing to encode
        return value
    if isinstance(value, datetime):
        if not is_aware(value):
            raise ValueError("naive datetime in a document")
        # "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC, the year zero-padded so that the text sorts as the time does
        return _DT + value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
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
    """Invert ``encode_value`` (on a copy: ``value`` is left as it is)."""
    box = [copy.deepcopy(value)]
    _decode_in_place(box)
    return box[0]


_STDLIB_WROTE = " "
"""Leads the text of a document the standard library wrote (JSON allows the space): the reader knows it at once."""
_STDLIB_MARKS = (_STDLIB_WROTE, _STDLIB_WROTE.encode())


def document_text(data: Mapping[str, Any]) -> str:
    """A document's data as compact JSON text (``encode_value`` applied)."""
    encoded = encode_value(data)
    try:
        return orjson.dumps(encoded).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits): the standard library writes it, marked
        return _STDLIB_WROTE + json.dumps(encoded, separators=(",", ":"))


def document_from_text(text: str | bytes) -> dict[str, Any]:
    """Invert ``document_text``: parse and decode the tagged values of one stored document."""
    if text[:1] in _STDLIB_MARKS:  # orjson would read its integers past 64 bits as floats
        parsed = json.loads(text)
    else:
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:  # NaN or Infinity, from rows written before orjson wrote them
            parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise ValueError("a stored document is not a JSON object")
    _decode_in_place(parsed)
    return parsed


def _decode_in_place(container: dict[str, Any] | list[Any]) -> None:
    """Replace tagged strings by their values throughout a freshly parsed value (nothing else holds it).

    The one decoder of the two tags (``decode_value`` runs it on a copy); every stored read goes
    through here (a 300-meeting list, a dispatch run's 30,000 heads), so it calls nothing per string.
    """
    items = container.items() if container.__class__ is dict else enumerate(container)
    for key, value in items:
        kind = value.__class__
        if kind is str:
            if value.startswith("\u0001"):
                if value.startswith(_DT):
                    container[key] = _fromisoformat(value[3:])  # type: ignore[index]
                elif value.startswith(_BYTES):
                    container[key] = base64.b64decode(value[3:])  # type: ignore[index]
        elif kind is dict or kind is list:
            _decode_in_place(value)
