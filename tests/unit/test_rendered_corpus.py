"""The HTML-to-text converter and the join-link scan give, byte for byte, the frozen record of the corpora."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fixtures.invitations import build_rendered

RECORD: list[dict[str, Any]] = json.loads(build_rendered.OUT.read_text(encoding="utf-8"))


def test_record_covers_every_corpus_text() -> None:
    """The record holds every corpus description and location and every edge case, in the builder's order."""
    assert [r["input"] for r in RECORD] == build_rendered.inputs()
    assert sum(1 for r in RECORD if r["html"]) >= 90


@pytest.mark.parametrize("entry", RECORD, ids=[str(i) for i in range(len(RECORD))])
def test_rendering_is_byte_identical_to_the_record(entry: dict[str, Any]) -> None:
    """Agenda text, scan text and found targets (kind, URI, label) equal the recorded ones exactly."""
    assert build_rendered.record(entry["input"]) == entry
