"""Cold start of every function module: process start to first response, and import time.

Cold start: ``functions-framework --target NAME --source main.py --port P`` is started in a
fresh process (embedded backend, empty data dir, as Cloud Functions starts an instance from the
one source bundle), and the clock runs until the first HTTP answer: a notification of an unknown
channel for the webhook (a store read, then 200), a small request for the APIs, the scheduler's
POST for scheduled ones, a binary-mode Pub/Sub CloudEvent carrying a real message (for an org
that does not exist, so no Google call is made) for event functions. That includes the imports,
the server start, building the App on first use and handling the request; the instance's CPU
time (user + system) is read when it is stopped right after answering, a figure a loaded machine
moves less than the wall time. The floor is the trivial functions-framework function of
``bench/_trivial_function.py`` started the same way (same interpreter, environment and server),
once at the head of each round; every ratio is taken within its round. Before the rounds the bundle
is byte-compiled as the Cloud Functions Python buildpack does at deploy (``python -m compileall``
over ``main.py``, ``functions/``, ``shared/`` and the trivial function), so an instance loads
bytecode instead of compiling every module at start-up, whatever ``PYTHONDONTWRITEBYTECODE`` says.

Import time: ``import functions.NAME`` (the module alone) and ``import main`` (the bundle
every function loads) in a fresh interpreter; the baseline is ``import flask,
functions_framework``, which every function pays anyway. Medians of ``REPEATS`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import httpx

from bench.bench_webhook import _headers
from bench.import_times import HEAVY, import_profile, import_time
from functions.registry import ENTRY_POINTS, EntryPoint
from shared.ports import BusMessage
from shared.ports.messages import CheckVacation, ProvisionUser, RewriteJoinDetails, SyncCalendar
from shared.runtime.server import pubsub_envelope

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
BUNDLE = (
    "main.py",
    "functions",
    "shared",
    "bench/_trivial_function.py",
    "bench/_trivial_openapi_function.py",
    "bench/_trivial_gcp_function.py",
)
#: The API functions' second floor: the least flask-openapi3 app (``bench/_trivial_openapi_function.py``).
OPENAPI_FLOOR = "openapi"
_API = {"meetings_api", "admin_api"}
_MESSAGES = {
    "sync_calendar": SyncCalendar(org_id="bench-org", principal_id="p1"),
    "rewrite_join_details": RewriteJoinDetails(org_id="bench-org", principal_id="p1", event_id="e1"),
    "check_vacation": CheckVacation(org_id="bench-org", principal_ids=("p1",)),
    "provision_user": ProvisionUser(org_id="bench-org", principal_id="p1"),
}
_HTTP_PROBES = {
    "meetings_api": ("GET", "/v1/openapi.json"),
    "admin_api": ("GET", "/admin/v1/orgs"),
}


def compile_bundle() -> None:
    """Byte-compile the deployed source as the buildpack does (``python3 -m compileall -f -q .`` on the bundle)."""
    subprocess.run([sys.executable, "-m", "compileall", "-f", "-q", *BUNDLE], cwd=ROOT, check=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _probe(ep: EntryPoint | str | None) -> tuple[str, str, dict[str, str], bytes]:
    """The first request a fresh instance of ``ep`` answers (None: the trivial baseline; a name: another floor)."""
    if ep is None:
        return "GET", "/", {}, b""
    if isinstance(ep, str):
        return "GET", "/v1/openapi.json", {}, b""
    admin = {"Authorization": "Bearer bench"}  # the non-public functions check their caller
    if ep.trigger == "pubsub":
        message = _MESSAGES[ep.name]
        bus_message = BusMessage(topic=ep.topic or "", data=message.encode(), message_id="bench-1")
        headers, body = pubsub_envelope(bus_message, "bench")
        return "POST", "/", {**headers, **admin}, json.dumps(body).encode()
    if ep.trigger == "scheduled":
        return "POST", "/", {"Content-Type": "application/json", **admin}, b"{}"
    if ep.name == "calendar_webhook":  # a notification of an unknown channel: a store read, then 200
        return "POST", "/", _headers("unknown-channel", "unknown-token", 1), b""
    method, path = _HTTP_PROBES[ep.name]
    return method, path, admin if ep.name == "admin_api" else {}, b""


class Start(NamedTuple):
    """One instance's first answer: wall seconds from process start, its status, and the CPU it used."""

    seconds: float
    status: int
    cpu: float
    """User + system CPU seconds of the instance until it was stopped right after answering."""


def first_answer(
    target: str, source: str, env: dict[str, str], probe: tuple[str, str, dict[str, str], bytes], limit: float = 60
) -> Start:
    """Start ``python -m functions_framework`` for ``target`` and time its first answer to ``probe``."""
    port = _free_port()
    method, path, headers, body = probe
    command = [sys.executable, "-m", "functions_framework", "--target", target, "--source", source]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=limit) as client:
            while time.perf_counter() - started < limit:
                try:
                    response = client.request(method, path, headers=headers, content=body)
                    seconds = time.perf_counter() - started
                    break
                except httpx.TransportError:
                    time.sleep(0.005)  # the server is not listening yet
            else:
                raise RuntimeError(f"{target} did not answer within {limit:.0f} s")
    finally:
        process.terminate()
        process.wait(20)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the one child reaped since ``before``
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Start(seconds, response.status_code, cpu)


def target_of(ep: EntryPoint | str | None) -> tuple[str, str]:
    """The functions-framework target and source of ``ep`` (None: the trivial floor; ``OPENAPI_FLOOR``)."""
    if isinstance(ep, str):
        return "trivial_openapi", "bench/_trivial_openapi_function.py"
    return (ep.name, "main.py") if ep else ("trivial", "bench/_trivial_function.py")


def embedded_env(data_dir: Path) -> dict[str, str]:
    """The environment an embedded instance starts with: its own data dir and the admin token its probe carries."""
    return {**os.environ, "HYBRIDCAL_DATA_DIR": str(data_dir), "HYBRIDCAL_ADMIN_TOKEN": "bench", "PYTHONPATH": ""}


def cold_start(ep: EntryPoint | str | None, data_dir: Path) -> Start:
    """The first answer of a fresh embedded instance of ``ep`` (None: the trivial floor; ``OPENAPI_FLOOR``)."""
    return first_answer(*target_of(ep), embedded_env(data_dir), _probe(ep))


def median_of(fn: object, *args: object) -> tuple[float, object]:
    """Median of the first value over REPEATS calls; the second value of the last call."""
    values, extra = [], None
    for _ in range(REPEATS):
        value, extra = fn(*args)  # type: ignore[operator]
        values.append(value)
    return statistics.median(values), extra


def rounds_of(data: Path) -> tuple[list[Start], dict[str, list[Start]]]:
    """``REPEATS`` rounds, each starting the trivial floor, the OpenAPI floor, then every function once, in turn.

    Each ratio is taken within its round (function / the floor started just before it), so a
    machine that slows down between rounds moves both sides of the ratio together. The OpenAPI
    floor's starts are under ``runs[OPENAPI_FLOOR]``.
    """
    floors: list[Start] = []
    runs: dict[str, list[Start]] = {ep.name: [] for ep in ENTRY_POINTS} | {OPENAPI_FLOOR: []}
    for _ in range(REPEATS):
        floors.append(cold_start(None, data / "trivial"))
        runs[OPENAPI_FLOOR].append(cold_start(OPENAPI_FLOOR, data / OPENAPI_FLOOR))
        for ep in ENTRY_POINTS:
            runs[ep.name].append(cold_start(ep, data / ep.name))
    return floors, runs


def ratios(runs: list[Start], floors: list[Start]) -> tuple[float, float]:
    """Median within-round ratios to the floor: wall time to the first answer, and CPU used."""
    pairs = list(zip(runs, floors, strict=True))
    return statistics.median(r.seconds / f.seconds for r, f in pairs), statistics.median(
        r.cpu / f.cpu for r, f in pairs
    )


def main() -> None:
    """Print the figures as a Markdown section (``--repeats N``: rounds of every start, 3 unless told)."""
    global REPEATS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help="rounds (and import timings) to take medians of")
    REPEATS = parser.parse_args().repeats
    compile_bundle()
    base_import, _ = median_of(import_time, "import flask, functions_framework")
    main_import, main_heavy = median_of(import_time, "import main")
    with tempfile.TemporaryDirectory() as tmp:
        floors, runs = rounds_of(Path(tmp))
    rows = []
    for ep in ENTRY_POINTS:
        cold = statistics.median(r.seconds for r in runs[ep.name])
        cpu = statistics.median(r.cpu for r in runs[ep.name])
        imp, heavy = median_of(import_time, f"import functions.{ep.name}")
        rows.append((ep, cold, cpu, *ratios(runs[ep.name], floors), runs[ep.name][-1].status, imp, heavy))
    base_cold = statistics.median(f.seconds for f in floors)
    base_cpu = statistics.median(f.cpu for f in floors)
    print(f"## Cold start of each function (functions-framework, embedded backend, median of {REPEATS})\n")
    print(
        f"Floor measured in this run: the trivial functions-framework function of `bench/_trivial_function.py` "
        f"(reads one header, answers a small JSON body with `flask.jsonify`), started exactly as each function "
        f"is (`python -m functions_framework --target NAME --source FILE`, the same interpreter, the same "
        f"environment and data dir variables, the same development server, the bundle byte-compiled as the "
        f"buildpack does at deploy), **{base_cold * 1000:.0f} ms** to first response, **{base_cpu * 1000:.0f} ms** "
        f"of CPU (user + system, until it is stopped right after answering). `import flask, functions_framework` "
        f"(inside that floor) **{base_import * 1000:.0f} ms**. "
        f"Ratios are function / the floor started just before it in the same round, median of the {REPEATS} "
        f"rounds. `import main` (the bundle every function loads) takes **{main_import * 1000:.0f} ms**; "
        f"heavy Google clients it loads: {main_heavy or 'none'}.\n"
    )
    api_floor = runs[OPENAPI_FLOOR]
    api_wall, api_cpu = ratios(api_floor, floors)
    print(
        f"Second floor for the two API functions: `bench/_trivial_openapi_function.py`, the least app of the HTTP "
        f"library they are built on (flask-openapi3 and pydantic imported, one route over one model, its OpenAPI "
        f"document answered), started the same way right after the trivial floor: "
        f"**{statistics.median(f.seconds for f in api_floor) * 1000:.0f} ms** to first response, "
        f"**{statistics.median(f.cpu for f in api_floor) * 1000:.0f} ms** of CPU, **{api_wall:.2f}x** / "
        f"**{api_cpu:.2f}x** the trivial function (wall / CPU): what the library alone adds to any function "
        f"that documents its API from pydantic models.\n"
    )
    print(
        "| function | trigger | first response | vs trivial | CPU | vs trivial | vs OpenAPI floor (wall / CPU) "
        "| status | import of the module alone | vs baseline |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for ep, cold, cpu, ratio, cpu_ratio, status, imp, _heavy in rows:
        if ep.name in _API:
            wall_o, cpu_o = ratios(runs[ep.name], api_floor)
            vs_api = f"{wall_o:.2f}x / {cpu_o:.2f}x"
        else:
            vs_api = "-"
        print(
            f"| {ep.name} | {ep.trigger} | {cold * 1000:.0f} ms | {ratio:.2f}x | {cpu * 1000:.0f} ms "
            f"| {cpu_ratio:.2f}x | {vs_api} | {status} | {imp * 1000:.0f} ms | {imp / base_import:.1f}x |"
        )
    print(
        "\nWhere each module's import goes (`python -X importtime -c 'import functions.NAME'`, self times in ms, "
        "median of the runs): *floor* = modules `import flask, functions_framework` loads as well (the trivial "
        "function pays them too), *pydantic* = pydantic and pydantic-core (the two APIs' models), "
        "*ours* = `shared` and `functions`, *other* = every other module the function adds.\n"
    )
    print("| function | floor | pydantic | ours | other |")
    print("|---|---|---|---|---|")
    for ep in ENTRY_POINTS:
        splits = [import_profile(f"import functions.{ep.name}") for _ in range(REPEATS)]
        cells = " | ".join(
            f"{statistics.median(p[k] for p in splits):.0f}" for k in ("floor", "pydantic", "ours", "other")
        )
        print(f"| {ep.name} | {cells} |")
    loaded = sorted({h for *_, heavy in rows for h in heavy})  # type: ignore[attr-defined]
    print(f"\nHeavy Google clients ({', '.join(HEAVY)}) loaded by any function module: {', '.join(loaded) or 'none'}.")


if __name__ == "__main__":
    main()
