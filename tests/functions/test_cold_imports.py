"""What a fresh function instance loads: its import and (embedded) its first answer leave heavy libraries out.

Each check runs a fresh interpreter, as Cloud Functions starts an instance, and reads ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from functions.registry import ENTRY_POINTS
from tests.support.instant import T0

ROOT = Path(__file__).resolve().parent.parent.parent
_LISTED = "print(json.dumps(sorted(m for m, v in sys.modules.items() if v is not None)))"

# No function imports these: the CLI's libraries, the old HTML parser, Google's discovery client, gRPC
# and the google.cloud clients (the gcp backend imports those when it builds the App, not at import).
NEVER = (
    "rich",
    "typer",
    "pygments",
    "bs4",
    "soupsieve",
    "googleapiclient",
    "grpc",
    "google.cloud.firestore",
    "google.cloud.pubsub",
    "google.cloud.kms",
    "google.cloud.secretmanager",
    "google.api_core",
)
# The two APIs verify Google ID tokens, but import google-auth and httpx on the first verification;
# no function module loads these at import.
GOOGLE_STACK = ("httpx", "httpcore", "google.auth", "google.oauth2", "cryptography.x509", "babel")
# pydantic serves the two APIs' request and response models only: the bus messages are msgspec Structs.
PYDANTIC = ("pydantic", "pydantic_core")
APIS = {"meetings_api", "admin_api"}
# Made or imported by other functions only: a webhook instance's first answer loads none of these.
WEBHOOK_NEVER = (
    "shared.ports.calendar",
    "shared.ports.conferencing",
    "shared.adapters.google.gateway",
    "shared.adapters.google.mappers",
    "shared.adapters.store.health_records",
    "shared.domain.events",
    "shared.domain.rooms",
    "shared.domain.health",
    "shared.domain.conference",
    "shared.services.join_buttons",
    "shared.services.join_rules",
)


def _run(code: str, env: dict[str, str] | None = None) -> tuple[list[str], set[str]]:
    """What ``code`` printed, and the modules loaded when it ended."""
    out = subprocess.run(
        [sys.executable, "-c", f"import json, sys\n{code}\n{_LISTED}"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    *printed, modules = out.stdout.strip().splitlines()
    return printed, set(json.loads(modules))


def _loaded(code: str) -> set[str]:
    return _run(code)[1]


def _offenders(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in packages))


@pytest.mark.parametrize("name", [ep.name for ep in ENTRY_POINTS])
def test_function_import_leaves_heavy_libraries_out(name: str) -> None:
    """Importing one function's module loads no CLI library, bs4, gRPC, google.cloud client or Google auth stack."""
    loaded = _loaded(f"import functions.{name}")
    assert f"functions.{name}" in loaded
    forbidden = NEVER + GOOGLE_STACK
    assert _offenders(loaded, forbidden if name in APIS else forbidden + PYDANTIC) == []


def test_main_bundle_imports_no_function() -> None:
    """``import main`` (what every instance loads first) imports no function module and nothing of ours."""
    loaded = _loaded("import main")
    assert _offenders(loaded, ("functions", "shared")) == []


def test_webhook_first_answer_on_the_embedded_backend_builds_no_google_stack(tmp_path: Path) -> None:
    """A webhook instance answers its first notification (App built, store read) with no Google stack, pydantic
    or cryptography."""
    code = (
        "from functions_framework import create_app\n"
        "app = create_app('calendar_webhook', 'main.py')\n"
        "headers = {'X-Goog-Channel-ID': 'unknown', 'X-Goog-Channel-Token': 't', 'X-Goog-Resource-ID': 'r',\n"
        "           'X-Goog-Resource-State': 'exists', 'X-Goog-Message-Number': '1'}\n"
        "response = app.test_client().post('/', headers=headers)\n"
        "print(response.status_code, response.get_data(as_text=True).strip())"
    )
    env = {"HYBRIDCAL_DATA_DIR": str(tmp_path / "data"), "HYBRIDCAL_CLOCK_START": T0.isoformat()}
    printed, loaded = _run(code, env)
    assert printed[-1].startswith("200 ")  # an unknown channel: read from the store, answered 200
    assert "shared.bootstrap" in loaded and "shared.adapters.store.sqlite" in loaded  # the App was built
    assert _offenders(loaded, NEVER + GOOGLE_STACK + PYDANTIC) == []
    # Its cipher and key were built and used for nothing: cryptography loads on the first seal or open.
    assert "shared.adapters.crypto.envelope" in loaded and _offenders(loaded, ("cryptography",)) == []
    # Nor does it load the Calendar port and gateway, the event and room records or the join-button rules:
    # the gateway and the health records are made on first use, and shared.ports loads only what is read.
    assert _offenders(loaded, WEBHOOK_NEVER) == []


def test_a_maintenance_run_with_no_calendar_to_advance_loads_no_sync(tmp_path: Path) -> None:
    """``maintain_channels`` makes the sync (and loads the normaliser and its HTML parser) only to advance or
    reconcile a calendar: a run that has none answers without them."""
    code = (
        "from functions_framework import create_app\n"
        "app = create_app('maintain_channels', 'main.py')\n"
        "response = app.test_client().post('/', json={}, headers={'Authorization': 'Bearer admin'})\n"
        "print(response.status_code)"
    )
    env = {"HYBRIDCAL_DATA_DIR": str(tmp_path / "data"), "HYBRIDCAL_ADMIN_TOKEN": "admin"}
    printed, loaded = _run(code, env)
    assert printed[-1] == "200" and "shared.services.channels" in loaded
    assert _offenders(loaded, ("shared.services.sync", "shared.domain.normalise", "selectolax")) == []


def test_the_api_functions_import_no_html_parser() -> None:
    """The two APIs list and answer stored meetings: the normaliser and its HTML parser load on first use only."""
    for name in sorted(APIS):
        loaded = _loaded(f"import functions.{name}")
        assert _offenders(loaded, ("selectolax", "shared.domain.normalise", "shared.domain.agenda")) == [], name


_ROUTE_MODULES = sorted(p.stem for p in (ROOT / "shared" / "api").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", _ROUTE_MODULES)
def test_every_api_module_imports_first(module: str) -> None:
    """Any module of the HTTP layer can be the first one imported (no import cycle depends on the order)."""
    assert f"shared.api.{module}" in _loaded(f"import shared.api.{module}")


@pytest.mark.parametrize("name", ["meetings_api", "calendar_webhook"])
def test_an_entry_point_imports_without_a_collection_and_leaves_the_collector_on(name: str) -> None:
    """Taking an entry point from main.py imports its module with the collector off (nothing it makes is garbage),
    then turns it back on: what is left is the one collection due once it is on again, never the oldest
    generation's (the import with the collector on triggers dozens, of every generation). A process that had
    it off keeps it off."""
    code = (
        "import gc, main\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: seen.append(info['generation']) if phase == 'start' else None)\n"
        f"main.{name}\n"
        "print(len(seen) <= 1 and 2 not in seen, gc.isenabled())\n"
        "gc.disable()\n"
        "main.__getattr__('admin_api')\n"
        "print(gc.isenabled())"
    )
    printed, loaded = _run(code)
    assert f"functions.{name}" in loaded
    assert printed == ["True True", "False"]
