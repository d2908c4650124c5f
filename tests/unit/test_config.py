"""Settings parsing: defaults, validation and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import SETTINGS, Settings
from shared.errors import ConfigError


def test_defaults_are_embedded_and_local() -> None:
    """An empty environment gives the embedded backend with documented defaults."""
    s = Settings.from_env({})
    assert s.backend == "embedded"
    assert s.port == 8080
    assert s.google_base_url is None
    assert s.scheduler is True
    assert s.data_dir == Path("~/.local/share/hybrid-calendar").expanduser()


def test_values_are_parsed() -> None:
    """Every kind of value is parsed from text."""
    s = Settings.from_env(
        {
            "HYBRIDCAL_PORT": "9000",
            "HYBRIDCAL_GOOGLE_BASE_URL": "http://127.0.0.1:8086/",
            "HYBRIDCAL_SCHEDULER": "off",
            "HYBRIDCAL_LOG_LEVEL": "debug",
            "HYBRIDCAL_DATA_DIR": "/tmp/hc",
        }
    )
    assert (s.port, s.google_base_url, s.scheduler, s.log_level) == (9000, "http://127.0.0.1:8086", False, "DEBUG")
    assert s.database_path == Path("/tmp/hc/hybrid-calendar.sqlite3")


def test_addon_client_ids_are_a_comma_separated_list() -> None:
    """The add-on's client ids: blanks around commas and empty items are dropped; none by default."""
    assert Settings.from_env({}).addon_client_ids == ()
    s = Settings.from_env(
        {"HYBRIDCAL_ADDON_CLIENT_IDS": " 1-a.apps.googleusercontent.com, ,2-b.apps.googleusercontent.com "}
    )
    assert s.addon_client_ids == ("1-a.apps.googleusercontent.com", "2-b.apps.googleusercontent.com")


@pytest.mark.parametrize(
    ("env", "value", "fragment"),
    [
        ("HYBRIDCAL_BACKEND", "mysql", "must be one of embedded, gcp"),
        ("HYBRIDCAL_PORT", "eighty", "must be a positive integer"),
        ("HYBRIDCAL_PORT", "70000", "between 1 and 65535"),
        ("HYBRIDCAL_GOOGLE_BASE_URL", "localhost:8086", "must be an http(s) URL"),
        ("HYBRIDCAL_SCHEDULER", "maybe", "must be one of on, off"),
        ("HYBRIDCAL_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR"),
        ("HYBRIDCAL_BUS_MAX_ATTEMPTS", "0", "must be a positive integer"),
        ("HYBRIDCAL_ADDON_CLIENT_IDS", "one two", "must list OAuth client ids separated by commas"),
    ],
)
def test_invalid_values_name_the_variable(env: str, value: str, fragment: str) -> None:
    """A bad value raises one ConfigError naming the variable and the accepted values."""
    with pytest.raises(ConfigError) as info:
        Settings.from_env({env: value})
    assert env in info.value.message
    assert fragment in info.value.message


def test_gcp_backend_needs_project_and_key() -> None:
    """The gcp backend refuses to start without a project and a KMS key."""
    with pytest.raises(ConfigError, match="HYBRIDCAL_GCP_PROJECT is required"):
        Settings.from_env({"HYBRIDCAL_BACKEND": "gcp"})
    with pytest.raises(ConfigError, match="HYBRIDCAL_KMS_KEY is required"):
        Settings.from_env({"HYBRIDCAL_BACKEND": "gcp", "HYBRIDCAL_GCP_PROJECT": "p"})


def test_every_spec_maps_to_a_field() -> None:
    """The settings table and the Settings fields are the same set."""
    assert {spec.attr for spec in SETTINGS} == set(Settings.__struct_fields__)
    assert all(spec.env.startswith("HYBRIDCAL_") for spec in SETTINGS)


def test_every_bad_variable_is_reported_at_once() -> None:
    """Three bad variables give one ConfigError naming all three, a line each, with what each accepts."""
    env = {"HYBRIDCAL_PORT": "eighty", "HYBRIDCAL_SCHEDULER": "maybe", "HYBRIDCAL_PUBLIC_URL": "example.com"}
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    lines = info.value.message.splitlines()
    assert len(lines) == 3
    assert [line.split(" ")[0] for line in lines] == ["HYBRIDCAL_PUBLIC_URL", "HYBRIDCAL_PORT", "HYBRIDCAL_SCHEDULER"]
    assert "positive integer" in lines[1] and "one of on, off" in lines[2]


def test_the_gcp_backend_names_every_missing_setting_at_once() -> None:
    """With the gcp backend and neither project nor key, both missing variables are named together."""
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"HYBRIDCAL_BACKEND": "gcp"})
    assert info.value.message.splitlines() == [
        "HYBRIDCAL_GCP_PROJECT is required when HYBRIDCAL_BACKEND is gcp",
        "HYBRIDCAL_KMS_KEY is required when HYBRIDCAL_BACKEND is gcp",
    ]
