"""A response validator that reads Google's discovery documents (as shipped with the client library).

:func:`problems` checks a JSON value against a schema of ``calendar.v3.json`` or ``gmail.v1.json``:

- fields: every key is a property of its schema (or allowed by ``additionalProperties``);
- types: ``string``, ``integer``, ``number``, ``boolean``, ``array``, ``object``, ``any``;
- formats: ``date-time`` and ``google-datetime`` (RFC 3339 with an offset), ``date``
  (``YYYY-MM-DD``), ``int64``/``uint64`` (a decimal string, as Google writes 64-bit numbers),
  ``int32``/``uint32`` (an integer in range), ``byte`` (base64);
- enums: the ``enum`` list, or the quoted values a description lists after "Possible values are".

It is written separately from the emulator's own request parsing so that one cannot hide the
other's mistakes. :func:`error_problems` checks Google's error envelope.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import googleapiclient
from google.rpc import code_pb2

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
RPC_CODES = frozenset(code_pb2.Code.keys())
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DIGITS = re.compile(r"-?\d+\Z")
_ENUM_HEAD = re.compile(r"possible values are:?", re.IGNORECASE)
_ENUM_ITEM = re.compile(r'^-\s*"([^"]+)"')
_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}


@functools.cache
def document(api: str) -> dict[str, Any]:
    """The discovery document of ``calendar`` or ``gmail``."""
    name = {"calendar": "calendar.v3.json", "gmail": "gmail.v1.json"}[api]
    return dict(json.loads((DOCUMENTS / name).read_text(encoding="utf-8")))


def _walk(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for resource in resources.values():
        for method in resource.get("methods", {}).values():
            found[method["id"]] = method
        found.update(_walk(resource.get("resources", {})))
    return found


@functools.cache
def methods() -> dict[str, dict[str, Any]]:
    """Every method of both documents by id (``calendar.events.list`` ...)."""
    return {**_walk(document("calendar")["resources"]), **_walk(document("gmail")["resources"])}


def response_schema(method_id: str) -> str | None:
    """The name of the schema a method answers with, or None when it answers nothing."""
    response = methods()[method_id].get("response")
    return str(response["$ref"]) if response else None


def enum_values(prop: dict[str, Any]) -> list[str] | None:
    """The values a property is documented to take, if it lists them."""
    if "enum" in prop:
        return [str(v) for v in prop["enum"]]
    head = _ENUM_HEAD.search(str(prop.get("description", "")))
    if head is None:
        return None
    values: list[str] = []
    for line in prop["description"][head.end() :].split("\n"):
        item = _ENUM_ITEM.match(line.strip())
        if item:
            values.append(item.group(1))
        elif values and line.strip():
            break
    return values or None


def _format_problem(fmt: str | None, value: Any) -> str | None:
    if fmt in ("date-time", "google-datetime"):
        if not isinstance(value, str) or not _RFC3339.match(value):
            return f"not an RFC 3339 date-time: {value!r}"
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif fmt == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            return f"not a date: {value!r}"
        date.fromisoformat(value)
    elif fmt in ("int64", "uint64"):
        if not isinstance(value, str) or not _DIGITS.match(value):
            return f"not a 64-bit number written as a string: {value!r}"
    elif fmt == "byte":
        try:
            base64.urlsafe_b64decode(str(value) + "=" * (-len(str(value)) % 4))
        except (binascii.Error, ValueError):
            return f"not base64: {value!r}"
    return None


def problems(api: str, schema: dict[str, Any] | str, value: Any, path: str = "$") -> list[str]:
    """Everything about ``value`` that the schema does not allow (empty when it conforms)."""
    schemas = document(api)["schemas"]
    prop = schemas[schema] if isinstance(schema, str) else schema
    if "$ref" in prop:
        prop = {**schemas[prop["$ref"]], **{k: v for k, v in prop.items() if k != "$ref"}}
    kind = prop.get("type")
    found: list[str] = []
    if kind == "any" or value is None:
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        issue = _format_problem(prop.get("format"), value)
        allowed = enum_values(prop)
        if issue:
            found.append(f"{path}: {issue}")
        if allowed is not None and value not in allowed:
            found.append(f"{path}: {value!r} is not one of {allowed}")
    elif kind == "integer":
        low, high = _INT_RANGE.get(str(prop.get("format")), (-(2**63), 2**63))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            found.append(f"{path}: expected an integer ({prop.get('format')}), got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            found.append(f"{path}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            found.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected an array, got {value!r}"]
        for i, item in enumerate(value):
            found += problems(api, prop.get("items", {"type": "any"}), item, f"{path}[{i}]")
    elif kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        properties = prop.get("properties", {})
        extra = prop.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                found += problems(api, properties[key], item, f"{path}.{key}")
            elif isinstance(extra, dict):
                found += problems(api, extra, item, f"{path}.{key}")
            else:
                found.append(f"{path}.{key}: not a field of the schema")
    return found


def answer_problems(method_id: str, value: Any) -> list[str]:
    """Problems of a method's answer against the method's response schema."""
    schema = response_schema(method_id)
    if schema is None:
        return [] if value in (None, "", {}) else [f"{method_id} answers nothing, got {value!r}"]
    api = method_id.split(".", 1)[0]
    return problems(api, schema, value)


def error_problems(status: int, body: Any) -> list[str]:
    """Problems of a Google error body: code, message, errors[] (domain, reason, message), status."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return [f"not an error envelope: {body!r}"]
    error = body["error"]
    found = []
    if error.get("code") != status:
        found.append(f"code {error.get('code')!r} differs from HTTP {status}")
    if not isinstance(error.get("message"), str):
        found.append("message missing")
    if error.get("status") not in RPC_CODES:
        found.append(f"status {error.get('status')!r} is not a google.rpc.Code name")
    details = error.get("errors")
    if not isinstance(details, list) or not details:
        found.append("errors[] missing")
        return found
    for detail in details:
        if not {"domain", "reason", "message"} <= set(detail):
            found.append(f"error detail lacks domain/reason/message: {detail!r}")
        if set(detail) - {"domain", "reason", "message", "location", "locationType", "extendedHelp"}:
            found.append(f"error detail has unknown fields: {detail!r}")
    return found
