"""The parsers of settings' values: text from the environment in, a typed value or a ConfigError out.

Each takes the variable's name and its raw text, so that the error names the variable, says
what it accepts and quotes what it got.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from shared.errors import ConfigError


def text(env: str, raw: str) -> str:
    """Any text, as given."""
    return raw


def url(env: str, raw: str) -> str:
    """An http(s) URL with a host, without its trailing slash."""
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{env} must be an http(s) URL such as https://example.com; got {raw!r}")
    return raw.rstrip("/")


def positive_int(env: str, raw: str) -> int:
    """A whole number above zero."""
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{env} must be a positive integer; got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{env} must be a positive integer; got {raw!r}")
    return value


def port(env: str, raw: str) -> int:
    """A TCP port, 1 to 65535."""
    value = positive_int(env, raw)
    if value > 65535:
        raise ConfigError(f"{env} must be a port between 1 and 65535; got {raw!r}")
    return value


def choice(*accepted: str) -> Callable[[str, str], str]:
    """A parser accepting one of ``accepted`` (case-insensitively where the accepted value is lower case)."""

    def parse(env: str, raw: str) -> str:
        value = raw.strip().lower() if raw.strip().lower() in accepted else raw.strip()
        if value not in accepted:
            raise ConfigError(f"{env} must be one of {', '.join(accepted)}; got {raw!r}")
        return value

    return parse


def switch(env: str, raw: str) -> bool:
    """``on``/``off`` (or true/false, 1/0, yes/no) as a bool."""
    value = raw.strip().lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ConfigError(f"{env} must be one of on, off; got {raw!r}")


def path(env: str, raw: str) -> Path:
    """A path, ``~`` expanded."""
    return Path(os.path.expanduser(raw))


def host_port(env: str, raw: str) -> str:
    """``host:port`` with a port from 1 to 65535."""
    host, _, port = raw.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise ConfigError(f"{env} must be host:port such as 127.0.0.1:8085; got {raw!r}")
    return raw.strip()


def client_ids(env: str, raw: str) -> tuple[str, ...]:
    """Comma-separated OAuth client ids, none with white space."""
    ids = tuple(item.strip() for item in raw.split(",") if item.strip())
    if any(any(c.isspace() for c in item) for item in ids):
        raise ConfigError(f"{env} must list OAuth client ids separated by commas; got {raw!r}")
    return ids


def accounts(env: str, raw: str) -> tuple[str, ...]:
    """Comma-separated service-account emails, lower-cased."""
    accounts = tuple(item.strip().lower() for item in raw.split(",") if item.strip())
    if any("@" not in item for item in accounts):
        raise ConfigError(f"{env} must list service-account emails separated by commas; got {raw!r}")
    return accounts


def instant(env: str, raw: str) -> datetime:
    """An RFC 3339 instant with its offset."""
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{env} must be an RFC 3339 instant such as 2026-11-24T09:00:00Z; got {raw!r}") from None
    if value.tzinfo is None:
        raise ConfigError(f"{env} needs a time-zone offset such as Z; got {raw!r}")
    return value


def log_level(env: str, raw: str) -> str:
    """DEBUG, INFO, WARNING or ERROR, in any case."""
    return choice("DEBUG", "INFO", "WARNING", "ERROR")(env, raw.upper())
