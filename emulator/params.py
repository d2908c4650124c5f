"""Query parameters and opaque tokens shared by the listing methods (events, ACL, calendar list)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

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


@dataclass(slots=True)
class Page:
    """Where a listing resumes: offset and the change-log position of its first page."""

    offset: int
    snapshot: int


def page_of(args: MultiDict[str, str], calendar: Calendar) -> Page:
    token = args.get("pageToken")
    if not token:
        return Page(0, calendar.seq)
    try:
        raw = decode_token(token)
        return Page(int(raw["o"]), int(raw["s"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid("Invalid page token value.", "pageToken") from exc
