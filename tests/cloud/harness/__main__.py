"""``make cloud``: the production topology on this machine, by hand, until Ctrl-C.

Starts Google's Firestore and Pub/Sub emulators, the project's emulator (with a Workspace domain,
``example.com``, two users and a delegated service account whose key file it writes), and every
function in its own functions-framework process wired as infra/ declares; then plays Cloud
Scheduler at the schedules infra declares and prints the commands to try it.
"""

from __future__ import annotations

import argparse
import json
import signal
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

from shared.config import GOOGLE_SCOPES
from tests.cloud.harness.topology import Topology
from tests.infra.terraform import cron_interval_seconds
from tests.support import gcp_emulators

DOMAIN = "example.com"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _schedule(topology: Topology, stop: threading.Event) -> None:
    """Fire each Cloud Scheduler job at its cron's interval, as infra declares it."""
    jobs = topology.view.scheduler_jobs()
    due = {job.function: time.monotonic() + (cron_interval_seconds(job.cron) or 60) for job in jobs}
    while not stop.wait(1.0):
        for job in jobs:
            if time.monotonic() >= due[job.function]:
                due[job.function] = time.monotonic() + (cron_interval_seconds(job.cron) or 60)
                try:
                    status = topology.fire(job.function).status_code
                except Exception as exc:  # keep the loop alive: a function may be restarting
                    status = type(exc).__name__
                print(f"scheduler: {job.name} -> {status}", flush=True)


def main() -> int:
    """Run the topology until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=None, help="Where logs, the clock and the key file go.")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hybrid-calendar-cloud-"))
    workdir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _stop)
    reason = gcp_emulators.available()
    if reason is not None:
        print(f"make cloud needs Google's emulators: {reason}")
        return 1
    print("starting Google's Firestore and Pub/Sub emulators ...", flush=True)
    firestore = gcp_emulators.start("firestore")
    pubsub = gcp_emulators.start("pubsub")
    topology = Topology(workdir, firestore.host_port, pubsub.host_port, backoff_scale=0.1)
    stop = threading.Event()
    try:
        print("starting the emulator and ten function processes ...", flush=True)
        topology.start()
        users = [
            {"email": f"alice@{DOMAIN}", "name": "Alice", "locale": "de", "timeZone": "Europe/Berlin"},
            {"email": f"bob@{DOMAIN}", "name": "Bob", "locale": "en", "timeZone": "America/New_York"},
        ]
        topology.control.create_domain(DOMAIN, users=users)
        key_file = workdir / "key.json"
        key_file.write_text(json.dumps(topology.control.create_service_account(DOMAIN, list(GOOGLE_SCOPES))))
        key_file.chmod(0o600)
        admin = topology.urls["admin_api"]
        print("\nThe topology runs (Ctrl-C stops it). Functions:")
        for name, url in sorted(topology.urls.items()):
            print(f"  {name:22} {url}    log: {workdir / (name + '.log')}")
        grpc = topology.secret_endpoint
        print(f"  {'Google emulator':22} {topology.emulator_url}    gRPC KMS + Secret Manager: {grpc}")
        print(f"  Firestore {firestore.host_port}, Pub/Sub {pubsub.host_port}")
        print("\nTry:")
        print(f"  export HYBRIDCAL_ADMIN_TOKEN={topology.admin_token}")
        print(f"  hybrid-calendar orgs create --url {admin} --domain {DOMAIN} --key-file {key_file}")
        print(f"  hybrid-calendar users activate --url {admin} example-com alice@{DOMAIN}")
        print(f"  hybrid-calendar users show --url {admin} example-com alice@{DOMAIN}\n", flush=True)
        scheduler = threading.Thread(target=_schedule, args=(topology, stop), name="scheduler", daemon=True)
        scheduler.start()
        while True:
            time.sleep(3600)  # until Ctrl-C
    except KeyboardInterrupt:
        print("stopping ...", flush=True)
    finally:
        stop.set()
        topology.stop()
        firestore.stop()
        pubsub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
