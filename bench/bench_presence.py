"""Presence polling benchmark: 10,000 principals' vacation responders within the 5-minute period.

Run from the repository root::

    python -m bench.bench_presence

An in-process emulator holds 10,000 users (10 % with a vacation responder on); the service's
embedded App holds them as active principals. ``poll_vacations`` runs once through the local
runtime (the real scheduled function), fans out 100 CheckVacation batches over the in-process
bus, and ``check_vacation`` reads every responder with bounded concurrency through the real
Google client stack (token per delegated user, quota guard, retries) with the service's
default quotas: 300 calls per user per minute and 100 calls per second for the process.

Gmail's quotas are injected in the emulator: the per-user limit (250 quota units per user per
second, i.e. 15,000 ``getVacation`` calls per user per minute) as a ``quotaPerUserPerMinute``
fault answering 429, and a per-project throttle as random 429 ``rateLimitExceeded`` answers on
0.2 % of calls (the emulator has no per-project counter; Gmail's per-project limit is
1,200,000 units per minute = 20,000 calls per second, far above what one process reaches).
The figure that matters is the total time against the 5-minute polling period, and the peak
request rate (calls per second, from the emulator's request log) against the quotas.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from emulator import testing
from emulator.app import create_app
from emulator.client import ControlClient
from emulator.gmail.vacation import validate_vacation
from emulator.state import EmulatorState
from shared.adapters.bus.local import LocalBus
from shared.bootstrap import build, set_app
from shared.clock import SystemClock
from shared.config import GOOGLE_SCOPES, Settings
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalState
from shared.runtime.server import LocalRuntime
from shared.topics import PRESENCE_CHANGED

USERS = 10_000
AWAY_EVERY = 10
PERIOD = 300.0
GET_VACATION = "gmail.users.settings.getVacation"


def _email(i: int) -> str:
    return f"user{i:05d}@example.com"


def main() -> None:
    """Print the figures as a Markdown section."""
    logging.disable(logging.CRITICAL)
    state = EmulatorState()
    emulator = create_app(state)
    control = ControlClient(transport=testing.transport(emulator))
    control.create_domain("example.com", users=[{"email": _email(i), "name": f"User {i}"} for i in range(USERS)])
    key = control.create_service_account("example.com", list(GOOGLE_SCOPES))
    now = datetime.now(UTC)
    with state.lock:
        for i in range(0, USERS, AWAY_EVERY):
            state.vacations[_email(i)] = validate_vacation(
                {
                    "enableAutoReply": True,
                    "responseSubject": f"Away {i}",
                    "startTime": str(int((now - timedelta(days=1)).timestamp() * 1000)),
                    "endTime": str(int((now + timedelta(days=3)).timestamp() * 1000)),
                }
            )
    control.set_faults(GET_VACATION, quotaPerUserPerMinute=15_000, quotaStatus=429, rate429=0.002, seed=5)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), google_base_url=testing.BASE_URL, public_url="http://bench.test", scheduler=False
        )
        bus = LocalBus(workers=settings.bus_workers, max_attempts=5, backoff_base=0.5, backoff_cap=10)
        app = build(settings, clock=SystemClock(), bus=bus, google_transport=httpx.WSGITransport(app=emulator))
        org = Org(id="bench-org", domain="example.com", credential=CredentialRef("stored", "", key["client_id"]))
        app.provisioning.create_org(org, service_account_key=json.dumps(key))
        for i in range(USERS):
            email = _email(i)
            app.stores.principals.put_principal(
                Principal(
                    org_id=org.id,
                    id=app.stores.principals.principal_id(org.id, email),
                    email=email,
                    state=PrincipalState.ACTIVE,
                )
            )
        runtime = LocalRuntime(app, scheduler=False)
        control.clear_requests()
        started = time.perf_counter()
        status = runtime.run_job("poll_vacations")
        if status != 200 or not bus.wait_idle(timeout=900):
            raise SystemExit(f"the poll did not finish (status {status})")
        took = time.perf_counter() - started
        items = control.requests(operation=GET_VACATION)["items"]
        statuses = Counter(int(item["status"]) for item in items)
        per_second = Counter(str(item["time"])[:19] for item in items)
        changed = bus.published.get(PRESENCE_CHANGED, 0)
        dead = len(bus.dead_letters())
        tokens = control.count("oauth2.token")
        runtime.close()
        set_app(None)
    control.close()
    state.close()
    peak = max(per_second.values())
    ok = statuses.get(200, 0)
    refused = sum(n for s, n in statuses.items() if s != 200)
    print(f"## Presence polling ({USERS:,} principals, Gmail quotas injected, default service quotas)\n")
    print("| measure | value | against |")
    print("|---|---|---|")
    print(
        f"| time for one full poll (fan-out + every check) | {took:.1f} s | {took / PERIOD:.2f}x the 5-minute period |"
    )
    print(f"| `getVacation` answered 200 | {ok:,} | {USERS:,} principals |")
    print(f"| `getVacation` refused by injected quota faults (retried) | {refused:,} | {dict(statuses)} |")
    print(f"| peak request rate | {peak} calls/s | process guard 100/s; Gmail per project 20,000/s |")
    print(f"| mean request rate | {len(items) / took:.0f} calls/s | |")
    print(f"| presence changes published | {changed:,} | {USERS // AWAY_EVERY:,} responders on |")
    print(f"| OAuth token exchanges / dead-lettered batches | {tokens:,} / {dead} | one token per delegated user |")


if __name__ == "__main__":
    main()
