"""The generated OpenAPI documents keep every operation the hand-written ones had (a committed fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.api import admin, app
from shared.api.routing import Api

FIXTURE = Path(__file__).with_name("openapi_operations.txt")


def _expected() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in FIXTURE.read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        elif line and not line.startswith("#"):
            sections[current].append(line)
    return sections


def _rows(doc: dict[str, Any]) -> list[str]:
    rows = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            security = op.get("security", doc.get("security", []))
            names = ",".join(sorted(k for s in security for k in s)) or "-"
            params = ",".join(sorted(f"{p['in']}:{p['name']}" for p in op.get("parameters", []))) or "-"
            body = "body" if "requestBody" in op else "-"
            responses = ",".join(sorted(op["responses"]))
            name = f"{method.upper()} {path} {op['operationId']}"
            rows.append(f"{name} security={names} params={params} {body} responses={responses}")
    return sorted(rows)


@pytest.mark.parametrize(("url", "api"), [("/v1/openapi.json", app.router), ("/admin/v1/openapi.json", admin.router)])
def test_every_operation_status_and_parameter_is_documented_as_before(url: str, api: Api) -> None:
    """Each (method, path, operation id, security, parameters, body, statuses) equals the old document's."""
    doc = api.document()
    assert doc["openapi"] == "3.1.0"
    assert _rows(doc) == _expected()[url]


def test_every_reference_resolves_to_a_component() -> None:
    """Every ``$ref`` in both documents names a schema under ``components``."""
    for api in (app.router, admin.router):
        doc = api.document()
        text = str(doc)
        names = set(doc["components"]["schemas"])
        refs = {part.split("'")[0] for part in text.split("#/components/schemas/")[1:]}
        assert refs <= names, refs - names
