"""Query parameters and opaque tokens shared by the listing methods (events, ACL, calendar list)."""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from werkzeug.datastructures import MultiDict

from emulator.errors import invalid
from emulator.model import Calendar


def encode_token(payload: dict[str, Any]) -> str:
    """Return an opaque token for ``payload``."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return "C" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    """Decode :func:`encode_token`'s output; raise ``ValueError`` if it is not ours."""
    if not token.startswith("C"):
        raise ValueError("not a token")
    body = token[1:]
    value = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if not isinstance(value, dict):
        raise ValueError("not a token")
    return value


def bool_arg(args: MultiDict[str, str], name: str, default: bool = False) -> bool:
    """Parse a boolean query parameter as Google does (``true``/``false``)."""
    value = args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise invalid(f"Invalid value for: {name}", name)


def int_arg(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    """Parse an integer query parameter, capping it at ``high``; 400 below ``low``."""
    value = args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise invalid(f"Invalid value '{value}'. Values must be integers.", name) from exc
    if number < low:
        raise invalid(f"Invalid value '{value}'. Values must be >= {low}", name)
    return min(number, high)


Key = tuple[int, str, int, int]
"""Where an item sorts in a listing: its position (a change-log number or an instant in
microseconds), its event id, and whether and where it is an expanded instance."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(value: datetime) -> int:
    """``value`` as integer microseconds since the epoch (exact, for sort keys; naive is UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1)


def item_key(position: int, event_id: str, original: datetime | None) -> Key:
    """The sort key of one listed item (``original`` is an expanded instance's own start)."""
    return (position, event_id, 0 if original is None else 1, 0 if original is None else micros(original))


@dataclass(frozen=True, slots=True)
class Page:
    """Where a listing resumes: after the key of the last item served (``None`` on the first page),
    and the change-log position of the first page (what its ``nextSyncToken`` names)."""

    after: Key | None
    snapshot: int


def page_of(args: MultiDict[str, str], calendar: Calendar) -> Page:
    """The page a request asks for (400 ``invalid`` for a page token that is not ours)."""
    token = args.get("pageToken")
    if not token:
        return Page(None, calendar.seq)
    try:
        raw = decode_token(token)
        position, event_id, expanded, original = raw["k"]
        if not (isinstance(position, int) and isinstance(event_id, str) and isinstance(expanded, int)):
            raise TypeError("bad key")
        return Page((position, event_id, expanded, int(original)), int(raw["s"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid("Invalid page token value.", "pageToken") from exc


T = TypeVar("T")


def page_slice(items: Sequence[T], key: Callable[[T], Key], page: Page, size: int) -> tuple[list[T], str | None]:
    """The page of ``items`` (sorted by ``key``) and the token of the next one, if any.

    A page resumes after the key of the last item served, not at an offset: an item that
    changes or goes away between two pages moves or vanishes alone and shifts nothing else out.
    """
    start = 0 if page.after is None else bisect.bisect_right(items, page.after, key=key)
    chunk = list(items[start : start + size])
    if start + size >= len(items):
        return chunk, None
    return chunk, encode_token({"k": list(key(chunk[-1])), "s": page.snapshot})
