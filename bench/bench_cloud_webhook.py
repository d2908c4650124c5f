"""Webhook throughput and p99 on the gcp backend (Firestore + Pub/Sub emulators) beside SQLite.

Run from the repository root (needs gcloud's Firestore and Pub/Sub emulators and Java)::

    python -m bench.bench_cloud_webhook

The real ``calendar_webhook`` entry point through functions-framework's test client (the function's
own cost, no sockets), on two Apps built in the same run with the same ``CHANNELS`` stored channels:
the gcp backend (Firestore emulator store, Pub/Sub emulator bus, Cloud KMS from the project's
emulator over gRPC) and the embedded one (SQLite, in-process bus, local key). Workloads as in
``bench_webhook``: **published** (first notification of a calendar: token check, a compare-and-set
of the sync state, one publish that waits for Pub/Sub's acknowledgement: the state is not stored yet,
so the flag is a create), **flag at a version** (the same, with the state stored and not pending: the
flag is a compare-and-set at the version read, one commit with an update-time precondition on
Firestore) and **coalesced** (a second notification while the sync is pending: token check and one
read). The floor is a trivial
functions-framework function answering the same requests. Best of ``ROUNDS`` interleaved rounds.
"""

from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import functions_framework

from bench.bench_webhook import _headers
from emulator.kms import KmsEmulator
from shared.adapters.bus.pubsub import PubSubBus
from shared.bootstrap import App, build, set_app
from shared.clock import SystemClock
from shared.config import Settings
from shared.documents import Delete, Put, Query
from shared.domain.sync import WatchChannel
from shared.domain.tokens import token_hash
from shared.runtime.server import main_source
from tests.support import gcp_emulators

CHANNELS = 500
ROUNDS = 3
PROJECT = "bench-webhook"
HERE = Path(__file__).resolve().parent


def _channels(app: App) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    out = []
    for i in range(CHANNELS):
        channel_id, token = f"c{i:05d}{os.urandom(6).hex()}", os.urandom(24).hex()
        app.stores.channels.put_channel(
            WatchChannel(
                id=channel_id,
                org_id="bench-org",
                principal_id=f"principal{i:05d}",
                resource_id=f"res-{channel_id}",
                token_hash=token_hash(token),
                expiration=now + timedelta(days=7),
                created_at=now,
            )
        )
        out.append((channel_id, token))
    return out


def _run(client: Any, requests: list[dict[str, str]], expect: str | None) -> list[float]:
    latencies = []
    for headers in requests:
        started = time.perf_counter()
        response = client.post("/", headers=headers, data=b"")
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200 or (expect and response.get_json()["result"] != expect):
            raise AssertionError(f"unexpected answer {response.status_code} {response.get_data()!r}")
    return latencies


def _clear_pending(app: App) -> None:
    docs = app.documents.query(Query("syncStates", group=True))
    app.documents.bulk_write([Delete(doc.path) for doc in docs])


def _unmark_pending(app: App) -> None:
    """Keep every sync state but clear its pending flag, so the next notification sets it at a version."""
    docs = app.documents.query(Query("syncStates", group=True))
    app.documents.bulk_write([Put(d.path, {**d.data, "pending": False, "pendingSince": None}) for d in docs])


def _summary(latencies: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / sum(latencies), cuts[49] * 1000, cuts[98] * 1000


def _measure(app: App) -> dict[str, tuple[float, float, float]]:
    set_app(app)
    create: Callable[..., Any] = functions_framework.create_app
    ours = create(target="calendar_webhook", source=main_source()).test_client()
    trivial = create(target="trivial", source=str(HERE / "_trivial_function.py")).test_client()
    requests = [_headers(cid, token, 2) for cid, token in _channels(app)]
    _run(ours, requests[:50], None)  # warm-up: clients, channels, the key cache
    _clear_pending(app)
    runs: dict[str, list[list[float]]] = {"trivial": [], "published": [], "at_version": [], "coalesced": []}
    for _ in range(ROUNDS):
        runs["trivial"].append(_run(trivial, requests, "ok"))
        runs["published"].append(_run(ours, requests, "published"))
        _unmark_pending(app)
        runs["at_version"].append(_run(ours, requests, "published"))
        runs["coalesced"].append(_run(ours, requests, "coalesced"))
        _clear_pending(app)
    set_app(None)
    return {name: max((_summary(r) for r in rounds), key=lambda s: s[0]) for name, rounds in runs.items()}


def main() -> None:
    """Print the figures as a Markdown section."""
    logging.disable(logging.CRITICAL)
    firestore, pubsub = gcp_emulators.start("firestore"), gcp_emulators.start("pubsub")
    kms = KmsEmulator()
    kms.start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = firestore.host_port
    os.environ["PUBSUB_EMULATOR_HOST"] = pubsub.host_port
    try:
        with tempfile.TemporaryDirectory() as tmp:
            embedded = build(Settings(data_dir=Path(tmp) / "data", scheduler=False), clock=SystemClock())
            sqlite = _measure(embedded)
            embedded.close()
            settings = Settings(
                backend="gcp",
                gcp_project=PROJECT,
                kms_key=f"projects/{PROJECT}/locations/global/keyRings/r/cryptoKeys/k",
                kms_endpoint=kms.endpoint,
                data_dir=Path(tmp) / "unused",
                scheduler=False,
            )
            bus = PubSubBus(PROJECT, create_missing_topics=True)
            bus.ensure_topics()
            gcp = build(settings, clock=SystemClock(), bus=bus)
            cloud = _measure(gcp)
            gcp.close()
    finally:
        kms.stop()
        firestore.stop()
        pubsub.stop()
    print(f"## Webhook on the gcp backend beside SQLite (functions-framework test client, {CHANNELS} channels)\n")
    print("| backend | variant | notifications/s | p50 | p99 | throughput vs SQLite | vs trivial function |")
    print("|---|---|---|---|---|---|---|")
    floor = sqlite["trivial"][0]
    variants = (
        ("published", "first notification (create the flag + publish)"),
        ("at_version", "first notification, state stored (flag at its version + publish)"),
        ("coalesced", "sync pending (coalesced)"),
    )
    for name, label in variants:
        for backend, figures in (("SQLite + embedded bus", sqlite), ("Firestore + Pub/Sub emulators", cloud)):
            rate, p50, p99 = figures[name]
            print(
                f"| {backend} | {label} | {rate:,.0f} | {p50:.2f} ms | {p99:.2f} ms "
                f"| {rate / sqlite[name][0]:.2f}x | {rate / floor:.3f}x |"
            )
    rate, p50, p99 = sqlite["trivial"]
    print(
        f"\nTrivial functions-framework function in this run (the floor): {rate:,.0f}/s, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms."
    )
    print(
        "The emulators are single JVM processes on this 2-core machine, so the gcp figures are the emulators' "
        "round trips (a Firestore read and a commit, a Pub/Sub publish acknowledged) more than the code's."
    )
    print(f"Load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
