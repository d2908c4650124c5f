"""JSON-lines logging for Cloud Logging: ``severity``, ``message`` and context fields.

Use ``get_logger(__name__).info("synced", extra=ctx(org=..., calendar=...))``. Context is
ids only; a safety net redacts anything that looks like an email address, a bearer token or
a key in the message and context before a line is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
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


def ctx(**fields: object) -> dict[str, object]:
    """Build the ``extra`` mapping that carries context fields into a log line."""
    return {_CONTEXT_KEY: {k: v for k, v in fields.items() if v is not None}}


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
        if isinstance(context, Mapping):
            for key, value in context.items():
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[0] is not None:
            exc = record.exc_info[1]
            entry["error_type"] = record.exc_info[0].__name__
            entry["error"] = redact(str(exc))
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log line of this process as JSON to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing.formatter, JsonFormatter):
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("werkzeug", "urllib3", "httpx", "httpcore", "google", "grpc"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> logging.Logger:
    """Return the stdlib logger for ``name``."""
    return logging.getLogger(name)
