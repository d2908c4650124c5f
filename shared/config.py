"""Settings: the only place that reads the environment.

``Settings.from_env(environ)`` turns ``HYBRIDCAL_*`` variables into one frozen value. Every
setting has a default or a clear error naming the variable and the accepted values; every bad
variable is reported at once, a line each.
``SETTINGS`` lists them all with their defaults and meaning (the README's reference is
checked against it); ``shared.config_values`` holds the parser of each kind of value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import msgspec
from msgspec.structs import replace

from shared import config_values as parsers
from shared.errors import ConfigError

Backend = Literal["embedded", "gcp"]

GOOGLE_SCOPES = (
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/gmail.settings.basic",
)


class SettingSpec(msgspec.Struct, frozen=True):
    """One environment variable: its name, default (as text) and meaning."""

    env: str
    attr: str
    default: str | None
    help: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "HYBRIDCAL_BACKEND",
        "backend",
        "embedded",
        "`embedded` (SQLite, in-process bus, local key) or `gcp` (Firestore, Pub/Sub, Cloud KMS).",
    ),
    SettingSpec(
        "HYBRIDCAL_DATA_DIR",
        "data_dir",
        "~/.local/share/hybrid-calendar",
        "Embedded data directory: the SQLite file and the local key file (0600).",
    ),
    SettingSpec(
        "HYBRIDCAL_GOOGLE_BASE_URL",
        "google_base_url",
        None,
        "One base URL for the Calendar, Gmail, OAuth2 token and OIDC endpoints; Google's own when unset, "
        "the emulator's URL locally.",
    ),
    SettingSpec(
        "HYBRIDCAL_PUBLIC_URL",
        "public_url",
        None,
        "Base URL at which Google reaches the webhook (`<url>/calendar_webhook`); HTTPS for real Google.",
    ),
    SettingSpec(
        "HYBRIDCAL_WEBEX_BASE_URL",
        "webex_base_url",
        "https://webexapis.com/v1",
        "Base URL of the Webex REST API, for orgs whose provider is `webex_api` (the emulator's `/webex/v1` locally).",
    ),
    SettingSpec(
        "HYBRIDCAL_ADMIN_TOKEN",
        "admin_token",
        None,
        "Bearer token for the admin API (checked by `admin_api` itself and by the local runtime); the admin API "
        "refuses every call when unset. In the cloud Secret Manager provides it.",
    ),
    SettingSpec("HYBRIDCAL_HOST", "host", "127.0.0.1", "Address `hybrid-calendar serve` listens on."),
    SettingSpec("HYBRIDCAL_PORT", "port", "8080", "Port `hybrid-calendar serve` listens on."),
    SettingSpec("HYBRIDCAL_LOG_LEVEL", "log_level", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    SettingSpec(
        "HYBRIDCAL_GCP_PROJECT", "gcp_project", None, "Google Cloud project id (required with the gcp backend)."
    ),
    SettingSpec(
        "HYBRIDCAL_KMS_KEY",
        "kms_key",
        None,
        "Cloud KMS key name `projects/P/locations/L/keyRings/R/cryptoKeys/K` wrapping the data keys "
        "(required with the gcp backend).",
    ),
    SettingSpec("HYBRIDCAL_FIRESTORE_DATABASE", "firestore_database", "(default)", "Firestore database id."),
    SettingSpec(
        "HYBRIDCAL_TOPIC_PREFIX",
        "topic_prefix",
        "",
        "Prefix for every Pub/Sub topic name (to share a project between deployments).",
    ),
    SettingSpec(
        "HYBRIDCAL_KEY_ROTATION_HOURS",
        "key_rotation_hours",
        "24",
        "How often a new data-encryption key version is made per org.",
    ),
    SettingSpec(
        "HYBRIDCAL_KEY_CACHE_SECONDS",
        "key_cache_seconds",
        "300",
        "How long an unwrapped data key stays cached in process.",
    ),
    SettingSpec("HYBRIDCAL_BUS_WORKERS", "bus_workers", "4", "Worker threads of the in-process bus."),
    SettingSpec(
        "HYBRIDCAL_BUS_MAX_ATTEMPTS", "bus_max_attempts", "5", "Deliveries of a message before the bus dead-letters it."
    ),
    SettingSpec(
        "HYBRIDCAL_SCHEDULER", "scheduler", "on", "`on` or `off`: whether `serve` runs the scheduled jobs in process."
    ),
    SettingSpec(
        "HYBRIDCAL_OIDC_CLIENT_ID",
        "oidc_client_id",
        "hybrid-calendar",
        "OAuth client id (audience) the app's ID tokens must be issued for.",
    ),
    SettingSpec(
        "HYBRIDCAL_ADDON_CLIENT_IDS",
        "addon_client_ids",
        "",
        "Comma-separated OAuth client ids the Calendar add-on's ID tokens are issued for; accepted, besides "
        "`HYBRIDCAL_OIDC_CLIENT_ID`, on `POST /v1/conferences` only.",
    ),
    SettingSpec(
        "HYBRIDCAL_USER_QUOTA_PER_MINUTE",
        "user_quota_per_minute",
        "300",
        "Google API requests per minute per delegated user (Google allows 600).",
    ),
    SettingSpec(
        "HYBRIDCAL_PROCESS_QUOTA_PER_SECOND",
        "process_quota_per_second",
        "100",
        "Google API requests per second for the whole process.",
    ),
    SettingSpec(
        "HYBRIDCAL_KMS_ENDPOINT",
        "kms_endpoint",
        None,
        "`host:port` of a Cloud KMS emulator (plaintext gRPC) for the gcp backend; Google's Cloud KMS when unset.",
    ),
    SettingSpec(
        "HYBRIDCAL_SECRET_MANAGER_ENDPOINT",
        "secret_manager_endpoint",
        None,
        "`host:port` of a Secret Manager emulator (plaintext gRPC) for `secret` credentials; Google's when unset.",
    ),
    SettingSpec(
        "HYBRIDCAL_INVOKER_AUDIENCE",
        "invoker_audience",
        None,
        "Audience of the OIDC tokens Cloud Scheduler and Pub/Sub push send this function; scheduled and Pub/Sub "
        "functions accept such a token instead of the admin token (unset: the admin token only).",
    ),
    SettingSpec(
        "HYBRIDCAL_INVOKERS",
        "invokers",
        "",
        "Comma-separated service-account emails whose OIDC tokens are accepted with `HYBRIDCAL_INVOKER_AUDIENCE`.",
    ),
    SettingSpec(
        "HYBRIDCAL_CLOCK_START",
        "clock_start",
        None,
        "Start the service's clock at this instant (RFC 3339) and run it at real speed, for rehearsals against the "
        "emulator; the system clock when unset.",
    ),
)

_BY_ATTR = {spec.attr: spec for spec in SETTINGS}


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "backend": parsers.choice("embedded", "gcp"),
    "data_dir": parsers.path,
    "google_base_url": parsers.url,
    "public_url": parsers.url,
    "admin_token": parsers.text,
    "webex_base_url": parsers.url,
    "host": parsers.text,
    "port": parsers.port,
    "log_level": parsers.log_level,
    "gcp_project": parsers.text,
    "kms_key": parsers.text,
    "firestore_database": parsers.text,
    "topic_prefix": parsers.text,
    "key_rotation_hours": parsers.positive_int,
    "key_cache_seconds": parsers.positive_int,
    "bus_workers": parsers.positive_int,
    "bus_max_attempts": parsers.positive_int,
    "scheduler": parsers.switch,
    "oidc_client_id": parsers.text,
    "addon_client_ids": parsers.client_ids,
    "user_quota_per_minute": parsers.positive_int,
    "process_quota_per_second": parsers.positive_int,
    "kms_endpoint": parsers.host_port,
    "secret_manager_endpoint": parsers.host_port,
    "invoker_audience": parsers.text,
    "invokers": parsers.accounts,
    "clock_start": parsers.instant,
}


class Settings(msgspec.Struct, frozen=True):
    """Every setting of the service, parsed and validated."""

    backend: Backend = "embedded"
    data_dir: Path = msgspec.field(default_factory=lambda: Path(os.path.expanduser("~/.local/share/hybrid-calendar")))
    google_base_url: str | None = None
    public_url: str | None = None
    admin_token: str | None = None
    webex_base_url: str = "https://webexapis.com/v1"
    host: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "INFO"
    gcp_project: str | None = None
    kms_key: str | None = None
    firestore_database: str = "(default)"
    topic_prefix: str = ""
    key_rotation_hours: int = 24
    key_cache_seconds: int = 300
    bus_workers: int = 4
    bus_max_attempts: int = 5
    scheduler: bool = True
    oidc_client_id: str = "hybrid-calendar"
    addon_client_ids: tuple[str, ...] = ()
    user_quota_per_minute: int = 300
    process_quota_per_second: int = 100
    kms_endpoint: str | None = None
    secret_manager_endpoint: str | None = None
    invoker_audience: str | None = None
    invokers: tuple[str, ...] = ()
    clock_start: datetime | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Parse settings from ``environ``; raise one ConfigError naming every bad variable."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for spec in SETTINGS:
            raw = environ.get(spec.env)
            if raw is None or raw == "":
                if spec.default is None:
                    values[spec.attr] = None
                    continue
                raw = spec.default
            try:
                values[spec.attr] = _PARSERS[spec.attr](spec.env, raw)
            except ConfigError as exc:
                problems.append(exc.message)
        if problems:
            raise ConfigError("\n".join(problems))
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Check rules that span several settings; one ConfigError lists every problem, a line each."""
        problems = [
            f"{_BY_ATTR[attr].env} is required when HYBRIDCAL_BACKEND is gcp"
            for attr in ("gcp_project", "kms_key")
            if self.backend == "gcp" and not getattr(self, attr)
        ]
        if problems:
            raise ConfigError("\n".join(problems))

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied (for tests and the demo)."""
        return replace(self, **changes)

    @property
    def database_path(self) -> Path:
        """The embedded SQLite file."""
        return self.data_dir / "hybrid-calendar.sqlite3"

    @property
    def key_file(self) -> Path:
        """The embedded key-encryption key file."""
        return self.data_dir / "local-kek.key"


def load() -> Settings:
    """Read the process environment once (the composition root calls this)."""
    return Settings.from_env(os.environ)


def is_set(env: str) -> bool:
    """Tell whether the environment gives ``env`` a value (the demo asks about HYBRIDCAL_DATA_DIR)."""
    return bool(os.environ.get(env))
