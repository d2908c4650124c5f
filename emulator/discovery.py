"""The discovery documents ``google-api-python-client`` ships: scopes per method, schemas."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import googleapiclient

GMAIL_SCOPES = {
    "https://mail.google.com/",
    "https://www.googleapis.com/auth/gmail.modify",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.settings.basic",
}


def _documents_dir() -> Path:
    return Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


def _methods(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for resource in resources.values():
        for method in resource.get("methods", {}).values():
            out[method["id"]] = method
        out.update(_methods(resource.get("resources", {})))
    return out


DOCUMENTS = {"calendar": "calendar.v3.json", "gmail": "gmail.v1.json"}


@functools.cache
def document(api: str) -> dict[str, Any]:
    """Return the discovery document of ``api`` (``calendar`` or ``gmail``)."""
    return dict(json.loads((_documents_dir() / DOCUMENTS[api]).read_text(encoding="utf-8")))


@functools.cache
def methods() -> dict[str, dict[str, Any]]:
    """Return ``{method id: method description}`` for Calendar v3 and Gmail v1."""
    out: dict[str, dict[str, Any]] = {}
    for api in DOCUMENTS:
        out.update(_methods(document(api)["resources"]))
    return out


@functools.cache
def method_scopes() -> dict[str, frozenset[str]]:
    """Return ``{method id: accepted scopes}`` for Calendar v3 and Gmail v1."""
    return {method_id: frozenset(method.get("scopes", [])) for method_id, method in methods().items()}


@functools.cache
def enum_parameters(operation: str) -> dict[str, frozenset[str]]:
    """Return ``{query parameter: allowed values}`` for the enumerated parameters of a method."""
    params = methods().get(operation, {}).get("parameters", {})
    return {name: frozenset(p["enum"]) for name, p in params.items() if p.get("location") == "query" and "enum" in p}


def scopes_allow(operation: str, granted: frozenset[str]) -> bool:
    """Whether a token with ``granted`` scopes may call ``operation``."""
    accepted = method_scopes().get(operation)
    if accepted is None:
        return True
    return bool(accepted & granted)
