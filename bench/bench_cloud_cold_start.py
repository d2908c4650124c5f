"""Cold start of each function on the gcp backend, against a trivial functions-framework function.

Run from the repository root (needs gcloud's Firestore and Pub/Sub emulators and Java)::

    python -m bench.bench_cloud_cold_start

Each function is started as Cloud Functions starts an instance: ``python -m functions_framework
--target NAME --source main.py`` in a fresh process, with the environment infra gives it (evaluated
from the Terraform, as the cloud tier does) pointed at the emulators, and the clock runs until its
first answer to a request that builds the App and touches the backend: a push body (an org that does
not exist) for Pub/Sub functions, the scheduler's POST for scheduled ones, ``GET /admin/v1/orgs`` for
admin_api, the OpenAPI document for meetings_api, a notification of an unknown channel for
calendar_webhook (a store read). Every probe
carries the admin token. That includes importing the google.cloud clients the gcp backend loads when
the App is built. Two floors are started the same way at the head of each round: the trivial function
of ``bench/_trivial_function.py`` (no Google client), and the backend's own floor,
``bench/_trivial_gcp_function.py``, which imports Google's Firestore client, makes it and reads one
document (what any function's first answer on this backend does at the least); each ratio is taken
within its round. Median of ``REPEATS`` (``--repeats N``). The bundle is
byte-compiled first, as the buildpack does at deploy (``bench.bench_cold_start.compile_bundle``).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import tempfile
from pathlib import Path

from bench.bench_cold_start import Start, compile_bundle, first_answer, ratios, target_of
from bench.bench_webhook import _headers
from functions.registry import ENTRY_POINTS, EntryPoint
from shared.ports.messages import CheckVacation, ProvisionUser, RewriteJoinDetails, SyncCalendar
from tests.cloud.harness.topology import Topology
from tests.support import gcp_emulators

REPEATS = 3
TOKEN = "bench-admin-token"
_MESSAGES = {
    "sync_calendar": SyncCalendar(org_id="bench-org", principal_id="p1"),
    "rewrite_join_details": RewriteJoinDetails(org_id="bench-org", principal_id="p1", event_id="e1"),
    "check_vacation": CheckVacation(org_id="bench-org", principal_ids=("p1",)),
    "provision_user": ProvisionUser(org_id="bench-org", principal_id="p1"),
}


def _probe(ep: EntryPoint | None) -> tuple[str, str, dict[str, str], bytes]:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    if ep is None:
        return "GET", "/", {}, b""
    if ep.trigger == "pubsub":
        data = base64.b64encode(_MESSAGES[ep.name].encode()).decode()
        body = {"message": {"data": data, "messageId": "1"}, "subscription": "s", "deliveryAttempt": 1}
        return "POST", "/", {**auth, "Content-Type": "application/json"}, json.dumps(body).encode()
    if ep.trigger == "scheduled":
        return "POST", "/", {**auth, "Content-Type": "application/json"}, b"{}"
    if ep.name == "admin_api":
        return "GET", "/admin/v1/orgs", auth, b""
    if ep.name == "meetings_api":
        return "GET", "/v1/openapi.json", {}, b""
    return "POST", "/", _headers("unknown-channel", "unknown-token", 1), b""  # a store read, then 200


GCP_FLOOR = "gcp"


def cold_start(ep: EntryPoint | str | None, env: dict[str, str]) -> Start:
    """The first answer of a fresh gcp instance of ``ep`` (None: the trivial floor; ``GCP_FLOOR``: the backend's)."""
    if isinstance(ep, str):
        return first_answer("trivial_gcp", "bench/_trivial_gcp_function.py", env, _probe(None), limit=90)
    return first_answer(*target_of(ep), env, _probe(ep), limit=90)


def main() -> None:
    """Print the figures as a Markdown section (``--repeats N``: rounds, 3 unless told)."""
    global REPEATS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help="rounds to take medians of")
    REPEATS = parser.parse_args().repeats
    compile_bundle()
    firestore, pubsub = gcp_emulators.start("firestore"), gcp_emulators.start("pubsub")
    with tempfile.TemporaryDirectory() as tmp:
        topology = Topology(Path(tmp), firestore.host_port, pubsub.host_port, log_level="WARNING")
        try:
            topology.start(functions=False)
            environments = {
                ep.name: {**topology.environment(ep.name), "HYBRIDCAL_ADMIN_TOKEN": TOKEN} for ep in ENTRY_POINTS
            }
            trivial_env = environments["calendar_webhook"]
            floors: list[Start] = []
            gcp_floors: list[Start] = []
            runs: dict[str, list[Start]] = {ep.name: [] for ep in ENTRY_POINTS}
            for _ in range(REPEATS):  # a round: the floors, then every function; ratios within the round
                floors.append(cold_start(None, trivial_env))
                gcp_floors.append(cold_start(GCP_FLOOR, trivial_env))
                for ep in ENTRY_POINTS:
                    runs[ep.name].append(cold_start(ep, environments[ep.name]))
        finally:
            topology.stop()
            firestore.stop()
            pubsub.stop()
    floor = statistics.median(f.seconds for f in floors)
    floor_cpu = statistics.median(f.cpu for f in floors)
    print(f"## Cold start of each function on the gcp backend (median of {REPEATS})\n")
    print(
        f"Floor measured in this run: the trivial functions-framework function of `bench/_trivial_function.py` "
        f"(reads one header, answers a small JSON body), started exactly as each function is (the same "
        f"interpreter and `python -m functions_framework` command, the gcp environment infra gives the webhook, "
        f"pointed at the emulators, the bundle byte-compiled as the buildpack does at deploy), "
        f"**{floor * 1000:.0f} ms** to first response, **{floor_cpu * 1000:.0f} ms** of CPU (user + system, until "
        f"it is stopped right after answering). It imports no Google client. "
        f"Ratios are function / the floor started just before it in the same round, median of {REPEATS} rounds.\n"
    )
    gcp_wall, gcp_cpu = ratios(gcp_floors, floors)
    print(
        f"The backend's floor, started right after it: `bench/_trivial_gcp_function.py` imports Google's Firestore "
        f"client, makes it on first use and reads one document, as any function's first answer here does at the "
        f"least: **{statistics.median(f.seconds for f in gcp_floors) * 1000:.0f} ms**, "
        f"**{statistics.median(f.cpu for f in gcp_floors) * 1000:.0f} ms** of CPU, **{gcp_wall:.2f}x** / "
        f"**{gcp_cpu:.2f}x** the trivial function (wall / CPU).\n"
    )
    print(
        "| function | trigger | first response | vs trivial | CPU | vs trivial | vs gcp floor (wall / CPU) | status |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for ep in ENTRY_POINTS:
        seconds = statistics.median(r.seconds for r in runs[ep.name])
        cpu = statistics.median(r.cpu for r in runs[ep.name])
        ratio, cpu_ratio = ratios(runs[ep.name], floors)
        wall_g, cpu_g = ratios(runs[ep.name], gcp_floors)
        print(
            f"| {ep.name} | {ep.trigger} | {seconds * 1000:.0f} ms | {ratio:.2f}x | {cpu * 1000:.0f} ms "
            f"| {cpu_ratio:.2f}x | {wall_g:.2f}x / {cpu_g:.2f}x | {runs[ep.name][-1].status} |"
        )


if __name__ == "__main__":
    main()
