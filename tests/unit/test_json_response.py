"""The API's JSON answers (orjson) carry the same JSON values the stdlib encoder gave."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.api.http import dumps, respond
from tests.support.instant import T0


@dataclass(frozen=True)
class _Thing:
    name: str


def test_answers_decode_to_what_the_stdlib_encoder_gave() -> None:
    """Datetimes, dataclasses, non-string keys, huge ints and unicode encode to the same JSON value as before."""
    body = {
        "when": T0,
        "naive": datetime(2026, 1, 2, 3, 4, 5),
        "utc": datetime(2026, 1, 2, tzinfo=UTC),
        "thing": _Thing("a"),
        "keys": {1: "one", 2.5: "half", None: "none"},
        "text": "Réunion ✓ \u2028",
        "items": [1, 2.5, None, False, ("t", "u")],
    }
    assert json.loads(dumps(body)) == json.loads(json.dumps(body, default=str))
    huge = {"n": 2**70}
    assert json.loads(dumps(huge)) == {"n": 2**70}


def test_respond_sends_json_with_its_status() -> None:
    """respond() answers application/json with the given status and the body's JSON."""
    response = respond({"meetings": [{"id": "m1", "start": T0}]}, 201)
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert response.get_json() == {"meetings": [{"id": "m1", "start": str(T0)}]}
