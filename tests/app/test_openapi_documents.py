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


def test_every_operation_is_summarised_and_described_by_its_view() -> None:
    """Each documented operation has a summary and a description: the paragraphs of its view's docstring."""
    for api in (app.router, admin.router):
        for item in api.document()["paths"].values():
            for op in item.values():
                assert op["summary"].strip() and op["description"].strip(), op["operationId"]
    listed = app.router.document()["paths"]["/v1/me/meetings"]["get"]
    assert (listed["summary"], listed["description"]) == (
        "My meetings in a range (default today in my zone).",
        "My meetings.",
    )


def test_a_docstring_split_over_lines_becomes_one_summary_and_one_description() -> None:
    """The summary joins the lines of the first paragraph; the description joins the rest, with no markup."""
    api = Api("probe", {"title": "probe", "version": "1"}, {})

    @api.route("GET", "/probe", operation_id="probe", responses={"204": {"description": "nothing"}})
    def probe() -> None:
        """Probe the docstring rule, with a summary long enough
        to take two lines.

        Then a description
        over two lines.
        """

    op = api.document()["paths"]["/probe"]["get"]
    assert op["summary"] == "Probe the docstring rule, with a summary long enough to take two lines."
    assert op["description"] == "Then a description over two lines."
