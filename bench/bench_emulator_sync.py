"""The emulator's own time on a sync's requests at 20,000 events (what the sync bench's floors stand on).

Run from the repository root::

    python -m bench.bench_emulator_sync

One in-process emulator holds the sync bench's calendar at 20,000 events (6,000 in the window, 800 weekly
series). Measured through a bare ``httpx`` client on the WSGI transport, so the figure is the emulator's
answer plus the client's JSON decoding: a one-change ``syncToken`` list (median of 100), paging the window
with ``singleEvents=true`` after a change (the listing cache cold; best of 3), and ``events.instances`` of
one series inside the window (median of 100).
"""

from __future__ import annotations

import logging
import statistics
import time

from bench import bench_sync
from emulator.calendar import events as emulator_events
from shared.adapters.google.calendar import LIST_FIELDS

TOTAL = 20_000


def main() -> None:
    """Print the three figures."""
    logging.disable(logging.CRITICAL)
    cal = bench_sync._calendar(TOTAL)
    headers = {"Authorization": f"Bearer {cal.token}"}
    url = f"/calendar/v3/calendars/{bench_sync.USER}/events"
    base = [("showDeleted", "true"), ("fields", "nextPageToken,nextSyncToken"), ("maxResults", "2500")]
    page = cal.http.get(url, params=base, headers=headers).json()
    while "nextPageToken" in page:
        page = cal.http.get(url, params=[*base, ("pageToken", page["nextPageToken"])], headers=headers).json()
    token = page["nextSyncToken"]
    changes: list[float] = []
    for n in range(100):
        with cal.state.lock:
            emulator_events.patch(cal.state, bench_sync.USER, bench_sync.USER, cal.one_offs[n], {"summary": f"x{n}"})
        params = [("syncToken", token), ("showDeleted", "true"), ("fields", LIST_FIELDS)]
        began = time.perf_counter()
        answer = cal.http.get(url, params=params, headers=headers).json()
        changes.append(time.perf_counter() - began)
        token = answer["nextSyncToken"]
        assert len(answer["items"]) == 1
    window: list[float] = []
    for n in range(3):
        with cal.state.lock:  # a change empties the emulator's listing cache, as between two syncs
            emulator_events.patch(cal.state, bench_sync.USER, bench_sync.USER, cal.one_offs[0], {"summary": f"y{n}"})
        began = time.perf_counter()
        bench_sync.page_window(cal.http, cal.token, single=True)
        window.append(time.perf_counter() - began)
    instances: list[float] = []
    for master in cal.masters[:100]:
        began = time.perf_counter()
        bench_sync._instances(cal.http, cal.token, [master])
        instances.append(time.perf_counter() - began)
    print(f"## Google emulator at {TOTAL:,} events (the sync bench's calendar)\n")
    print("| request | time |")
    print("|---|---|")
    print(f"| one-change `syncToken` list (median of 100) | {statistics.median(changes) * 1000:.2f} ms |")
    print(f"| window with `singleEvents=true`, listing cache cold (best of 3) | {min(window) * 1000:.0f} ms |")
    one = statistics.median(instances) * 1000
    print(f"| `events.instances` of one series in the window (median of 100) | {one:.2f} ms |")
    cal.http.close()
    cal.control.close()
    cal.state.close()


if __name__ == "__main__":
    main()
