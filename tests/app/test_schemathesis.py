"""Property-based checks of the app API against its own OpenAPI document (schemathesis).

Every operation except the endless streams is called with generated input, signed in as Bob:
no answer is a 5xx, and every status, content type and body matches the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.app.conftest import BOB, AppWorld, build_app_world

# What the issue asks: no 5xx, and statuses, content types and bodies as documented. (Rejecting a
# schema-valid request is fine here: a range ending before it starts is valid JSON Schema.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppWorld]:
    """One app world for the whole module (generated calls only add events and ACL rules)."""
    w = build_app_world(Path(tmp_path_factory.mktemp("schemathesis")))
    yield w
    w.world.settle()
    w.world.close()
    assert w.world.emulator_state.unexpected_errors == []


@pytest.fixture(scope="module")
def api_schema(world: AppWorld) -> Any:
    """The document as the running service serves it."""
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", world.world.runtime)


def test_no_5xx_and_responses_match_the_document(api_schema: Any, world: AppWorld) -> None:
    """Generated calls by a signed-in user never fail with 5xx and conform to the schema, operation by operation."""
    headers = world.user(BOB)
    checked = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
        checked += 1
    assert checked == 18


def test_the_document_is_valid_openapi_3_1(api_schema: Any) -> None:
    """Schemathesis loads the document and finds every non-stream operation."""
    operations = [op.ok() for op in api_schema.get_all_operations()]
    assert len(operations) == 20
