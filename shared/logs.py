"""JSON-lines logging for Cloud Logging: ``severity``, ``message`` and context fields.

Use ``get_logger(__name__).info("synced", extra=ctx(org=..., calendar=...))``. Context is
ids only; a safety net redacts anything that looks like an email address, a bearer token or
a key in the message and context before a line is written. ``bound(function=..., message_id=...)``
adds context to every line written while a request or a message is handled (in this thread or
task). ``configure`` is idempotent: the composition root calls it when it builds the App of a
function process, ``serve`` and the demo call it too, and a second call only changes the level.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, TextIO

_CONTEXT_KEY = "hybridcal_context"
_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}
_REDACTIONS = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [token]"),
    (re.compile(r"-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----"), "[key]"),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]+"), "[token]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[jwt]"),
)


def redact(text: str) -> str:
    """Replace emails, bearer tokens, JWTs and PEM keys in ``text``."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_NOTHING: Mapping[str, object] = MappingProxyType({})
_BOUND: contextvars.ContextVar[Mapping[str, object]] = contextvars.ContextVar("hybridcal_log_context", default=_NOTHING)


def ctx(**fields: object) -> dict[str, object]:
    """Build the ``extra`` mapping that carries context fields into a log line."""
    return {_CONTEXT_KEY: {k: v for k, v in fields.items() if v is not None}}


@contextlib.contextmanager
def bound(**fields: object) -> Iterator[None]:
    """Add ``fields`` (ids only) to every line logged inside the block, on top of what is bound already."""
    token = _BOUND.set({**_BOUND.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _BOUND.reset(token)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line, the shape Cloud Logging parses."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` with severity, message, logger and redacted context."""
        entry: dict[str, Any] = {
            "severity": _SEVERITY.get(record.levelno, "DEFAULT"),
            "message": redact(record.getMessage()),
            "logger": record.name,
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
        }
        context = getattr(record, _CONTEXT_KEY, None)
        for fields in (_BOUND.get(), context if isinstance(context, Mapping) else {}):
            for key, value in fields.items():
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            exc = record.exc_info[1]
            entry["error_type"] = record.exc_info[0].__name__
            entry["error"] = redact(str(exc))
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log line of this process as JSON to ``stream`` (stderr by default), at ``level``.

    Idempotent: when JSON logging is already configured and no new ``stream`` is given, only the
    level changes, so building the App again never doubles the lines.
    """
    root = logging.getLogger()
    installed = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
    if stream is not None or not installed:
        for existing in installed:
            root.removeHandler(existing)
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("werkzeug", "urllib3", "httpx", "httpcore", "google", "grpc"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> logging.Logger:
    """Return the stdlib logger for ``name``."""
    return logging.getLogger(name)
