"""Bus message schemas, JSON logging with redaction, and the clocks."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import AcceleratedClock, ManualClock
from shared.errors import InvalidInput
from shared.logs import configure, ctx, redact
from shared.ports.messages import CheckVacation, StopChannel, SyncCalendar, decode_one_of


def test_messages_round_trip() -> None:
    """A message survives encode and decode, tuples included."""
    m = SyncCalendar(org_id="o", principal_id="p", channel_id="c", message_number=7)
    assert SyncCalendar.decode(m.encode()) == m
    v = CheckVacation(org_id="o", principal_ids=("a", "b"))
    assert CheckVacation.decode(v.encode()) == v


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"kind": "rewrite_join_details", "v": 1, "org_id": "o", "principal_id": "p"}',
        b'{"kind": "sync_calendar", "v": 2, "org_id": "o", "principal_id": "p"}',
        b'{"kind": "sync_calendar", "v": 1, "org_id": "o"}',
        b'{"kind": "sync_calendar", "v": 1, "org_id": 5, "principal_id": "p"}',
        b'{"kind": "sync_calendar", "v": 1, "org_id": "o", "principal_id": "p", "message_number": "x"}',
        b'{"kind": "sync_calendar", "v": 1, "org_id": "o", "principal_id": "p", "message_number": true}',
        b'{"kind": "sync_calendar", "v": 1, "org_id": "o", "principal_id": "p", "message_number": 7.0}',
        b'{"kind": "sync_calendar", "v": true, "org_id": "o", "principal_id": "p"}',
        b'{"kind": "sync_calendar", "v": 1.0, "org_id": "o", "principal_id": "p"}',
    ],
)
def test_malformed_messages_are_invalid_input(payload: bytes) -> None:
    """Anything malformed raises InvalidInput (a permanent error), never a crash."""
    with pytest.raises(InvalidInput):
        SyncCalendar.decode(payload)


def test_the_wire_format_is_compact_sorted_json_with_every_field() -> None:
    """A message encodes to the payload infra's consumers read: sorted keys, no spaces, defaults and nulls written."""
    assert SyncCalendar(org_id="o", principal_id="p", channel_id="c", message_number=7).encode() == (
        b'{"channel_id":"c","kind":"sync_calendar","message_number":7,"org_id":"o","principal_id":"p",'
        b'"reason":"notification","resource_id":null,"v":1}'
    )
    assert CheckVacation(org_id="o", principal_ids=("a", "b")).encode() == (
        b'{"calendar_only":false,"kind":"check_vacation","org_id":"o","principal_ids":["a","b"],"v":1}'
    )


def test_decoding_ignores_unknown_fields_and_names_the_bad_one() -> None:
    """An unknown field is ignored; a mistyped list element is refused, naming its field."""
    m = CheckVacation.decode(b'{"kind": "check_vacation", "v": 1, "org_id": "o", "principal_ids": ["a"], "new": 1}')
    assert m == CheckVacation(org_id="o", principal_ids=("a",))
    with pytest.raises(InvalidInput, match="principal_ids"):
        CheckVacation.decode(b'{"kind": "check_vacation", "v": 1, "org_id": "o", "principal_ids": ["a", 2]}')


def test_a_stop_published_as_a_sync_decodes_as_a_stop() -> None:
    """A sync-calendar payload whose reason is stop_channel (the old form) decodes as a StopChannel."""
    old = b'{"kind": "sync_calendar", "v": 1, "org_id": "o", "principal_id": "p", "reason": "stop_channel", '
    old += b'"channel_id": "c"}'
    decoded = decode_one_of(old, (SyncCalendar, StopChannel))
    assert decoded == StopChannel(org_id="o", principal_id="p", channel_id="c")
    assert decoded.attributes == {"channel_id": "c", "reason": "stop_channel"} and decoded.ordering_key == "o/p"


def test_json_logs_have_severity_context_and_no_secrets() -> None:
    """Log lines are JSON with severity and context, and emails or tokens are redacted."""
    stream = io.StringIO()
    configure("INFO", stream)
    logging.getLogger("t").warning(
        "patched for alice@example.com with Bearer ya29.secret", extra=ctx(org="o1", calendar="bob@example.com")
    )
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["severity"] == "WARNING" and line["org"] == "o1"
    text = json.dumps(line)
    assert "example.com" not in text and "ya29" not in text
    assert "[email]" in line["message"]


def test_redact_pem_and_jwt() -> None:
    """PEM keys and JWTs never reach a log line."""
    pem = "-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----"
    assert redact(f"key {pem}") == "key [key]"
    assert "[jwt]" in redact("token eyJhbGciOi.eyJzdWIiOi.sig")


def test_manual_clock_moves_forward_only() -> None:
    """The manual clock advances and refuses to go back."""
    c = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    c.advance(timedelta(minutes=5))
    assert c.now() == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    assert c.monotonic() == 300
    with pytest.raises(ValueError, match="forward"):
        c.advance(-1)


def test_accelerated_clock_runs_faster() -> None:
    """An accelerated clock multiplies elapsed base time and can jump ahead."""
    base = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    c = AcceleratedClock(datetime(2026, 6, 1, tzinfo=UTC), factor=60, base=base)
    base.advance(2)
    assert c.now() == datetime(2026, 6, 1, 0, 2, tzinfo=UTC)
    assert c.advance(timedelta(hours=1)) == datetime(2026, 6, 1, 1, 2, tzinfo=UTC)
