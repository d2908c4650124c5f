"""Webhook throughput: Calendar push notifications per second through functions-framework, p50 and p99.

Run from the repository root::

    python -m bench.bench_webhook                 # 2,000 channels, 3 rounds
    python -m bench.bench_webhook --channels 300  # a quick look

The real ``calendar_webhook`` entry point (loaded from ``main.py`` by functions-framework, as
Cloud Functions loads it) runs on the embedded App: SQLite store, envelope cipher, in-process
bus. 2,000 channels (one per calendar) are stored with hashed tokens. Each request goes
through functions-framework's Flask test client, so the figures are the function's own cost
without sockets. Two workloads:

- **published**: the first ``exists`` notification of each calendar — token check in constant
  time, a compare-and-set of the sync state (pending flag) and one publish;
- **flag at a version**: the same with the state stored and not pending (the usual case once a
  calendar has synced): the flag is a compare-and-set at the version read;
- **coalesced**: a second notification for each calendar while its sync is pending — token
  check and one read, no publish.

The baseline is a trivial functions-framework function (``bench/_trivial_function.py``)
answering the same requests in the same run. Rounds are interleaved; the best round of each
variant is reported. Beside the wall-clock figures, notifications per second of the request
thread's own CPU time (``time.thread_time``): what the code costs, whatever else the machine runs
(the background WAL checkpointer and bus threads are not in it).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import functions_framework

from shared.adapters.bus.local import LocalBus
from shared.bootstrap import App, build, set_app
from shared.clock import SystemClock
from shared.config import Settings
from shared.domain.sync import WatchChannel
from shared.domain.tokens import token_hash
from shared.runtime.server import main_source
from shared.topics import CALENDAR_SYNC

Run = tuple[list[float], float]  # per-request seconds, the request thread's CPU seconds
CHANNELS = 2_000
ROUNDS = 3
HERE = Path(__file__).resolve().parent


def _headers(channel_id: str, token: str, number: int) -> dict[str, str]:
    return {
        "X-Goog-Channel-ID": channel_id,
        "X-Goog-Channel-Token": token,
        "X-Goog-Channel-Expiration": "Tue, 01 Dec 2026 09:00:00 GMT",
        "X-Goog-Resource-ID": f"res-{channel_id}",
        "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/x/events?alt=json",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": str(number),
    }


def _app(tmp: Path, count: int) -> tuple[App, list[tuple[str, str]]]:
    """An embedded App with ``count`` stored channels; returns (app, [(channel id, token)])."""
    settings = Settings(data_dir=tmp / "data", admin_token="bench", scheduler=False)
    app = build(settings, clock=SystemClock(), bus=LocalBus(workers=1))
    now = datetime.now(UTC)
    channels = []
    for i in range(count):
        channel_id, token = secrets.token_hex(16), secrets.token_urlsafe(32)
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
        channels.append((channel_id, token))
    return app, channels


def _run(client: Any, requests: list[dict[str, str]], expect: str | None) -> Run:
    """POST every request; return per-request seconds and this thread's CPU seconds (and check the answers)."""
    latencies = []
    cpu = time.thread_time()
    for headers in requests:
        started = time.perf_counter()
        response = client.post("/", headers=headers, data=b"")
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200 or (expect and response.get_json()["result"] != expect):
            raise AssertionError(f"unexpected answer {response.status_code} {response.get_data()!r}")
    return latencies, time.thread_time() - cpu


def _summary(run: Run) -> tuple[float, float, float, float]:
    """Throughput (requests/s), p50 and p99 in milliseconds, and requests per second of the thread's CPU."""
    latencies, cpu = run
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / sum(latencies), cuts[49] * 1000, cuts[98] * 1000, len(latencies) / cpu


def _clear_pending(app: App) -> None:
    """Forget every pending flag so the next round publishes again."""
    from shared.documents import Delete, Query

    docs = app.documents.query(Query("syncStates", group=True))
    app.documents.bulk_write([Delete(doc.path) for doc in docs])


def _unmark_pending(app: App) -> None:
    """Keep every sync state but clear its pending flag, so the next notification sets it at a version."""
    from shared.documents import Put, Query

    docs = app.documents.query(Query("syncStates", group=True))
    app.documents.bulk_write([Put(d.path, {**d.data, "pending": False, "pendingSince": None}) for d in docs])


def main() -> None:
    """Print the figures as a Markdown section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=CHANNELS, help="calendars (one notification each a round)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="interleaved rounds (the best is reported)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:
        app, channels = _app(Path(tmp), args.channels)
        set_app(app)
        create: Callable[..., Any] = functions_framework.create_app
        ours = create(target="calendar_webhook", source=main_source()).test_client()
        trivial = create(target="trivial", source=str(HERE / "_trivial_function.py")).test_client()
        requests = [_headers(cid, token, 2) for cid, token in channels]
        _run(ours, requests[:100], None)  # warm-up: imports, the cipher's key cache, SQLite pages
        _run(trivial, requests[:100], None)
        _clear_pending(app)
        runs: dict[str, list[Run]] = {"trivial": [], "published": [], "at_version": [], "coalesced": []}

        def at_version() -> Run:
            _unmark_pending(app)
            return _run(ours, requests, "published")

        variants: list[tuple[str, Callable[[], Run]]] = [
            ("trivial", lambda: _run(trivial, requests, "ok")),
            ("published", lambda: _run(ours, requests, "published")),
            ("at_version", at_version),
            ("coalesced", lambda: _run(ours, requests, "coalesced")),
        ]
        for _ in range(args.rounds):
            for name, variant in variants:
                runs[name].append(variant())
            _clear_pending(app)
        published = app.bus.published.get(CALENDAR_SYNC, 0)  # type: ignore[attr-defined]
        set_app(None)
        app.close()
    best = {name: max((_summary(r) for r in rounds), key=lambda s: s[0]) for name, rounds in runs.items()}
    base, base_p99 = best["trivial"][0], best["trivial"][2]
    print(f"## Webhook throughput (functions-framework test client, SQLite embedded, {args.channels:,} channels)\n")
    print(
        "| variant | notifications/s | p50 | p99 | throughput vs baseline | p99 vs baseline "
        "| per second of the request thread's CPU |"
    )
    print("|---|---|---|---|---|---|---|")
    labels = {
        "trivial": "trivial functions-framework function (baseline)",
        "published": "calendar_webhook, first notification (flag created + publish)",
        "at_version": "calendar_webhook, first notification, state stored (flag at its version + publish)",
        "coalesced": "calendar_webhook, sync already pending (coalesced)",
    }
    for name in ("trivial", "published", "at_version", "coalesced"):
        rate, p50, p99, cpu_rate = best[name]
        ratios = f"{rate / base:.2f}x | {p99 / base_p99:.2f}x"
        print(f"| {labels[name]} | {rate:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {ratios} | {cpu_rate:,.0f} |")
    warm = min(100, args.channels)
    per_round = 2 * args.channels
    print(f"\n{published:,} SyncCalendar messages were published ({warm} in the warm-up, {per_round:,} a round).")
    print(f"Load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
