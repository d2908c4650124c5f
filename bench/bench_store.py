"""Encrypt-and-store and load-and-decrypt of 10,000 meetings on SQLite: envelope cipher vs no cipher."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.adapters.crypto.envelope import EnvelopeCipher, NullCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.clock import ManualClock
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting
from shared.ports import Cipher

N = 10_000
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


def meetings() -> list[Meeting]:
    """10,000 realistic meetings for one calendar inside the window."""
    out = []
    for i in range(N):
        start = NOW + timedelta(minutes=30 * (i % 1400))
        out.append(
            Meeting(
                org_id="o1",
                principal_id="p1",
                event_id=f"event{i:05d}",
                start=start,
                end=start + timedelta(minutes=30),
                title=f"Project sync {i}",
                organizer="organizer@example.com",
                attendees=tuple(Attendee(f"person{j}@example.com") for j in range(6)),
                location="Room 4.01 @webex",
                agenda="Agenda: " + "discussion points " * 20,
                join_targets=(JoinTarget(JoinKind.WEBEX, f"https://acme.webex.com/meet/u{i}"),),
            )
        )
    return out


def run(make_cipher: str, data: list[Meeting]) -> tuple[float, float]:
    """Seconds to store and to load ``data`` with the given cipher."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteDocumentStore(Path(tmp) / "b.sqlite3")
        clock = ManualClock(NOW)
        cipher: Cipher = (
            EnvelopeCipher(store, LocalKek.from_file(Path(tmp) / "k"), clock)
            if make_cipher == "envelope"
            else NullCipher()
        )
        stores = DocumentStores(store, cipher)
        t0 = time.perf_counter()
        stores.meetings.put_meetings(data, NOW)
        t1 = time.perf_counter()
        got = stores.meetings.list_meetings("o1", "p1", NOW - timedelta(days=1), NOW + timedelta(days=40), NOW)
        t2 = time.perf_counter()
        assert len(got) == len(data)
        store.close()
        return t1 - t0, t2 - t1


def main() -> None:
    """Print the figures as a Markdown section."""
    data = meetings()
    run("null", data[:500])  # warm-up
    best: dict[str, tuple[float, float]] = {}
    for kind in ("null", "envelope", "null", "envelope"):
        w, r = run(kind, data)
        prev = best.get(kind)
        best[kind] = (min(w, prev[0]), min(r, prev[1])) if prev else (w, r)
    (nw, nr), (ew, er) = best["null"], best["envelope"]
    print("## Encrypted store (SQLite, 10,000 meetings)\n")
    print("| path | no cipher (baseline) | envelope AES-256-GCM | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| encrypt and store | {nw:.2f} s | {ew:.2f} s | {ew / nw:.2f}x | ≤ 1.3x |")
    print(f"| load and decrypt | {nr:.2f} s | {er:.2f} s | {er / nr:.2f}x | ≤ 1.3x |")


if __name__ == "__main__":
    main()
