"""The conferencing add-on in addon/: its Node test suite passes and its manifest has the documented shape.

The add-on's .gs sources run under Node (``node --test tests/addon/js``) with the test harness's
Apps Script stand-ins; this module runs that suite so ``make test`` covers it. Node is required
under ``CI=true``; elsewhere the suite is skipped with a message when Node is missing.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from tests.conftest import IN_CI

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
ADDON = ROOT / "addon"
NODE_TESTS = sorted((HERE / "js").glob("*.test.mjs"))
SCHEMA = json.loads((HERE / "manifest.schema.json").read_text(encoding="utf-8"))
MINIMAL_SCOPES = {
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/script.external_request",
    "https://www.googleapis.com/auth/calendar.addons.execute",
}
MIN_NODE = 18


def manifest() -> dict[str, Any]:
    """addon/appsscript.json, parsed."""
    data: dict[str, Any] = json.loads((ADDON / "appsscript.json").read_text(encoding="utf-8"))
    return data


def _node() -> str:
    path = shutil.which("node")
    reason = None
    if path is None:
        reason = "node is not installed"
    else:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
        match = re.match(r"v(\d+)\.", version)
        if not match or int(match.group(1)) < MIN_NODE:
            reason = f"node {version.strip() or '?'} is older than {MIN_NODE} (node:test)"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}: Node {MIN_NODE}+ is required under CI=true for the add-on's tests")
        pytest.skip(f"{reason}: the add-on's Node tests are skipped")
    assert path is not None
    return path


def test_node_suite_passes() -> None:
    """`node --test` runs the add-on's suite under the Apps Script stand-ins: every test passes, none is skipped."""
    assert NODE_TESTS, "no *.test.mjs files in tests/addon/js"
    result = subprocess.run(
        [_node(), "--test", "--test-reporter=tap", *map(str, NODE_TESTS)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = re.findall(r"^# (pass|fail|skipped|todo|cancelled) (\d+)$", output, re.M)
    counts = {key: int(value) for key, value in summary}
    assert counts.get("fail") == 0 and counts.get("cancelled") == 0, output
    assert counts.get("skipped") == 0 and counts.get("todo") == 0, output
    assert counts.get("pass", 0) >= 50, output


def test_schema_is_valid_draft_2020_12() -> None:
    """The manifest schema is itself a valid JSON Schema (draft 2020-12)."""
    jsonschema_rs.meta.validate(SCHEMA)


def test_manifest_has_the_documented_shape() -> None:
    """addon/appsscript.json validates against the schema of the documented manifest fields."""
    errors = [str(error) for error in jsonschema_rs.Draft202012Validator(SCHEMA).iter_errors(manifest())]
    assert errors == []


def _break(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(manifest())
    target: Any = broken
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return broken


SOLUTION = ("addOns", "calendar", "conferenceSolution", 0)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ((*SOLUTION, "onCreateFunction"), KeyError),
        ((*SOLUTION, "logoUrl"), KeyError),
        ((*SOLUTION, "onCreateFunction"), "createConference_"),
        ((*SOLUTION, "logoUrl"), "http://example.com/logo.png"),
        (("urlFetchWhitelist", 0), "http://hybrid-calendar.example.com/v1/conferences"),
        (("urlFetchWhitelist", 0), "https://hybrid-calendar.example.com"),
        (("urlFetchWhiteList",), ["https://hybrid-calendar.example.com/"]),
        (("addOns", "calendar", "conferenceSolutions"), []),
        (("addOns", "common", "name"), KeyError),
        (("runtimeVersion",), "V9"),
        (("oauthScopes",), ["openid", "openid"]),
        (("oauthScopes", 1), "userinfo.email"),
    ],
)
def test_schema_refuses_a_broken_manifest(path: tuple[str | int, ...], value: Any) -> None:
    """A missing field, a private function, plain http, a path-less prefix, a misspelt field or a bad scope fails."""
    broken = _break(path, value)
    assert not jsonschema_rs.Draft202012Validator(SCHEMA).is_valid(broken)


def test_scopes_are_the_minimal_set() -> None:
    """The add-on asks only for the ID token (openid, email), UrlFetchApp and running in Calendar."""
    data = manifest()
    assert set(data["oauthScopes"]) == MINIMAL_SCOPES
    assert "currentEventAccess" not in data["addOns"]["calendar"], "event access would need calendar.addons.* scopes"
    assert "dependencies" not in data or not data["dependencies"].get("enabledAdvancedServices")


def test_solution_ids_are_unique_and_fetches_stay_on_the_service() -> None:
    """Solution ids are unique, and the add-on may fetch one URL: the service's conference route."""
    data = manifest()
    ids = [solution["id"] for solution in data["addOns"]["calendar"]["conferenceSolution"]]
    assert len(ids) == len(set(ids))
    assert [url.split("/", 3)[3] for url in data["urlFetchWhitelist"]] == ["v1/conferences"]


def test_clasp_pushes_only_the_manifest_and_sources() -> None:
    """.claspignore keeps only appsscript.json and the .gs files; each admin's .clasp.json stays out of git."""
    lines = [
        line
        for line in (ADDON / ".claspignore").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["**/**", "!appsscript.json", "!*.gs"]
    assert ".clasp.json" in (ADDON / ".gitignore").read_text(encoding="utf-8").splitlines()
    example = json.loads((ADDON / ".clasp.json.example").read_text(encoding="utf-8"))
    assert set(example) == {"scriptId", "rootDir"}
