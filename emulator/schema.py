"""Request bodies read against the discovery documents: unknown fields dropped, values typed.

Google parses a JSON body into the method's request schema. Calendar ignores fields the schema
does not have (they are neither stored nor echoed), accepts an integer written as a string
(``"minutes": "10"`` is stored as ``10``, an ``int64`` number as its decimal string), and
answers 400 ``invalid`` for a value of the wrong type, naming the field::

    Invalid value at 'resource.summary' (TYPE_STRING), 123

A field with documented values (the schema's ``enum``, or the "Possible values are" list of
its description) refuses any other value the same way. ``null`` is kept: in a PATCH it clears
the field. :func:`clean` does all of this for one schema of one API.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from emulator.discovery import document
from emulator.errors import ApiError

_INT = re.compile(r"-?\d+\Z")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\Z")
_BULLET = re.compile(r'-\s*"([^"]+)"')
_VALUES_HEADER = re.compile(r"possible values are:?", re.IGNORECASE)
_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}
_TYPE_NAMES = {
    "string": "TYPE_STRING",
    "integer": "TYPE_INT32",
    "number": "TYPE_DOUBLE",
    "boolean": "TYPE_BOOL",
    "object": "TYPE_MESSAGE",
    "array": "TYPE_MESSAGE",
}


def documented_values(prop: dict[str, Any]) -> tuple[str, ...] | None:
    """The values a field may take, from ``enum`` or its description's "Possible values" list."""
    if "enum" in prop:
        return tuple(str(v) for v in prop["enum"])
    match = _VALUES_HEADER.search(str(prop.get("description", "")))
    if match is None:
        return None
    values: list[str] = []
    for line in prop["description"][match.end() :].splitlines():
        bullet = _BULLET.match(line.strip())
        if bullet:
            values.append(bullet.group(1))
        elif values and line.strip():
            break
    return tuple(values) or None


@functools.cache
def _schemas(api: str) -> dict[str, Any]:
    return dict(document(api)["schemas"])


def _resolve(api: str, prop: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    return _schemas(api)[ref] if isinstance(ref, str) else prop


def _reject(path: str, prop: dict[str, Any], value: Any) -> ApiError:
    kind = _TYPE_NAMES.get(str(prop.get("type")), "TYPE_MESSAGE")
    if prop.get("type") == "integer" and prop.get("format") == "uint32":
        kind = "TYPE_UINT32"
    shown = json.dumps(value, ensure_ascii=False)[:80]
    return ApiError(400, "invalid", f"Invalid value at '{path}' ({kind}), {shown}", location=path)


def _integer(path: str, prop: dict[str, Any], value: Any) -> int:
    if isinstance(value, bool):
        raise _reject(path, prop, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT.match(value.strip()):
        number = int(value.strip())
    else:
        raise _reject(path, prop, value)
    low, high = _RANGES.get(str(prop.get("format")), (-(2**63), 2**63 - 1))
    if not low <= number <= high:
        raise _reject(path, prop, value)
    return number


def _string(path: str, prop: dict[str, Any], value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif prop.get("format") in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise _reject(path, prop, value)
    allowed = documented_values(prop)
    if allowed is not None and text not in allowed:
        raise ApiError(400, "invalid", f"Invalid value for {path}: {text}", location=path)
    return text


def _value(api: str, path: str, raw_prop: dict[str, Any], value: Any) -> Any:
    if value is None:
        return None
    prop = _resolve(api, raw_prop)
    kind = prop.get("type")
    if kind == "string":
        return _string(path, {**prop, **raw_prop}, value)
    if kind == "integer":
        return _integer(path, prop, value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _reject(path, prop, value)
        if isinstance(value, str):
            if not _NUMBER.match(value.strip()):
                raise _reject(path, prop, value)
            return float(value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _reject(path, prop, value)
        return value
    if kind == "array":
        if not isinstance(value, list):
            raise _reject(path, prop, value)
        items = prop.get("items", {"type": "any"})
        return [_value(api, f"{path}[{i}]", items, item) for i, item in enumerate(value) if item is not None]
    if kind == "object":
        if not isinstance(value, dict):
            raise _reject(path, prop, value)
        return _object(api, path, prop, value)
    return value  # "any"


def _object(api: str, path: str, schema: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in properties:
            out[key] = _value(api, f"{path}.{key}", properties[key], item)
        elif isinstance(extra, dict):
            out[key] = _value(api, f"{path}.{key}", extra, item)
        # anything else is not in the schema: Google drops it
    return out


def clean(api: str, schema_name: str, body: dict[str, Any], root: str = "resource") -> dict[str, Any]:
    """Return ``body`` as Google reads it into ``schema_name``; raise Google's 400 for a bad value."""
    return _object(api, root, _schemas(api)[schema_name], body)
