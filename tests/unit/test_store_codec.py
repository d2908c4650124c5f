"""The SQLite store's value codec: the stored text of a datetime, and every tagged value back as it went in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.adapters.store.codec import decode_value, document_from_text, document_text, encode_value


def _stored_form(value: datetime) -> str:
    """What the store has always written for a datetime from year 1000 on (its stored rows compare as these)."""
    return "\u0001t:" + value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _datetimes() -> list[datetime]:
    rng = random.Random(7)
    edges = [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1000, 1, 1, tzinfo=UTC),
        datetime(2026, 11, 24, 10, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    base = datetime(2020, 1, 1, tzinfo=UTC)
    drawn = [
        (
            base + timedelta(seconds=rng.randint(0, 10**9), microseconds=rng.choice([0, rng.randint(1, 999999)]))
        ).astimezone(timezone(timedelta(minutes=rng.randint(-840, 840))))
        for _ in range(2000)
    ]
    return edges + drawn


def test_a_datetime_is_stored_as_the_same_text_in_every_zone_and_year() -> None:
    """Zero microseconds and any offset: the text stays what the store's rows already hold; every year
    (before 1000 too, zero-padded) reads back as it went in, and the texts sort as the times do."""
    values = _datetimes()
    for value in values:
        if value.astimezone(UTC).year >= 1000:
            assert encode_value(value) == _stored_form(value), value
        assert decode_value(encode_value(value)) == value
    assert sorted(values, key=encode_value) == sorted(values)


def test_documents_round_trip_with_tags_at_every_depth() -> None:
    """Datetimes and bytes nested in maps and lists come back as they went in; a string that merely
    starts with the tag byte stays a string."""
    now = datetime(2026, 11, 24, 10, 0, 0, 1, tzinfo=UTC)
    doc = {
        "start": now,
        "blob": b"\x00\x01\xff",
        "nested": {"at": [now, {"deep": now}], "flag": True, "n": 3, "none": None, "f": 1.5},
        "odd": "\u0001x not a tag",
        "list": ["a", "\u0001t", 2],
    }
    assert document_from_text(document_text(doc)) == doc


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        encode_value(datetime(2026, 11, 24, 10))


@pytest.mark.parametrize("number", [2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 2**70, -(2**64) - 1, 10**30])
def test_an_integer_of_any_size_comes_back_an_integer(number: int) -> None:
    """orjson writes and reads 64-bit integers; a larger one is written by the standard library and read
    by it again, not by orjson (which would give a float)."""
    doc = {"n": number, "nested": [number, {"n": number}], "when": datetime(2026, 11, 24, 10, tzinfo=UTC)}
    text = document_text(doc)
    back = document_from_text(text)
    assert back == doc
    assert type(back["n"]) is int and type(back["nested"][0]) is int
    assert document_from_text(text.encode()) == doc
