"""Decoding Google's JSON bodies: orjson first, the standard library for what orjson refuses."""

from __future__ import annotations

import json

import orjson
import pytest

from shared.adapters.google.failures import parse_body


def test_a_listing_page_decodes_to_what_the_standard_library_reads() -> None:
    page = {
        "kind": "calendar#events",
        "items": [{"id": f"e{i}", "summary": "Réunion ✓", "attendees": [{"email": "a@example.com"}]} for i in range(3)],
        "nextSyncToken": "CPjT",
    }
    raw = json.dumps(page, ensure_ascii=False).encode()
    assert parse_body(raw) == json.loads(raw) == page


@pytest.mark.parametrize(
    "raw",
    [
        b'{"summary": "\\ud800"}',  # a lone surrogate
        b'{"value": NaN}',
    ],
)
def test_what_orjson_refuses_is_read_as_the_standard_library_reads_it(raw: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(raw)
    assert parse_body(raw) == json.loads(raw)


def test_an_integer_past_64_bits_is_a_number_not_an_error() -> None:
    assert parse_body(b'{"sequence": 123456789012345678901234567890}') == {"sequence": 1.2345678901234568e29}


@pytest.mark.parametrize("raw", [b"", b"<html>Bad Gateway</html>", b"\xff\xfe{", b'{"a": '])
def test_a_body_that_is_not_json_is_none(raw: bytes) -> None:
    assert parse_body(raw) is None
