"""Scopes per method, read from the discovery documents ``google-api-python-client`` ships."""

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


def _walk(resources: dict[str, Any], out: dict[str, frozenset[str]]) -> None:
    for resource in resources.values():
        for method in resource.get("methods", {}).values():
            out[method["id"]] = frozenset(method.get("scopes", []))
        _walk(resource.get("resources", {}), out)


@functools.cache
def method_scopes() -> dict[str, frozenset[str]]:
    """Return ``{method id: accepted scopes}`` for Calendar v3 and Gmail v1."""
    out: dict[str, frozenset[str]] = {}
    for name in ("calendar.v3.json", "gmail.v1.json"):
        document = json.loads((_documents_dir() / name).read_text(encoding="utf-8"))
        _walk(document["resources"], out)
    return out


def scopes_allow(operation: str, granted: frozenset[str]) -> bool:
    """Whether a token with ``granted`` scopes may call ``operation``."""
    accepted = method_scopes().get(operation)
    if accepted is None:
        return True
    return bool(accepted & granted)
