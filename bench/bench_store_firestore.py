"""Encrypt-and-store and load-and-decrypt of 10,000 meetings on the Firestore emulator: envelope cipher vs none.

Starts Google's Firestore emulator and the project's Cloud KMS emulator itself; the envelope cipher's
key-encryption key is ``CloudKmsKek`` over real gRPC, so the KMS call counts are the real client's.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

from bench.bench_store import NOW, meetings
from emulator.kms import KmsEmulator
from shared.adapters.crypto.envelope import EnvelopeCipher, NullCipher
from shared.adapters.crypto.kms import CloudKmsKek
from shared.adapters.store.firestore import FirestoreDocumentStore
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.domain.meetings import Meeting
from shared.ports import Cipher
from tests.support import gcp_emulators
from tests.support.gcp_emulators import EmulatorProcess

PROJECT = "hybridcal-bench"
KEY = f"projects/{PROJECT}/locations/global/keyRings/bench/cryptoKeys/kek"


def reset(emulator: EmulatorProcess) -> None:
    """Empty the emulator's database."""
    import httpx

    url = f"http://{emulator.host_port}/emulator/v1/projects/{PROJECT}/databases/(default)/documents"
    httpx.delete(url, timeout=120).raise_for_status()


def run(kind: str, data: list[Meeting], emulator: EmulatorProcess, kms: KmsEmulator) -> tuple[float, float, str]:
    """Seconds to store and to load ``data`` with the given cipher, and the KMS calls it made."""
    reset(emulator)
    kms.state.reset()
    store = FirestoreDocumentStore(PROJECT)
    clock = ManualClock(NOW)
    cipher: Cipher = (
        EnvelopeCipher(store, CloudKmsKek(KEY, endpoint=kms.endpoint), clock) if kind == "envelope" else NullCipher()
    )
    t0 = time.perf_counter()
    DocumentStores(store, cipher).meetings.put_meetings(data, NOW)
    t1 = time.perf_counter()
    writes = kms.calls["Encrypt"]
    cold: Cipher = (
        EnvelopeCipher(store, CloudKmsKek(KEY, endpoint=kms.endpoint), clock) if kind == "envelope" else NullCipher()
    )
    got = DocumentStores(store, cold).meetings.list_meetings(
        "o1", "p1", NOW - timedelta(days=1), NOW + timedelta(days=31), NOW
    )
    t2 = time.perf_counter()
    assert len(got) == len(data)
    store.close()
    return t1 - t0, t2 - t1, f"{writes} Encrypt, {kms.calls['Decrypt']} Decrypt (cold reader)"


def main() -> None:
    """Print the figures as a Markdown section."""
    data = meetings()
    emulator = gcp_emulators.start("firestore")
    kms = KmsEmulator()
    kms.start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host_port  # read by google-cloud-firestore's client
    try:
        run("null", data[:500], emulator, kms)  # warm-up
        best: dict[str, tuple[float, float]] = {}
        calls = ""
        for kind in ("null", "envelope", "null", "envelope"):
            w, r, made = run(kind, data, emulator, kms)
            prev = best.get(kind)
            best[kind] = (min(w, prev[0]), min(r, prev[1])) if prev else (w, r)
            calls = made if kind == "envelope" else calls
    finally:
        kms.stop()
        emulator.stop()
    (nw, nr), (ew, er) = best["null"], best["envelope"]
    print("## Encrypted store (Firestore emulator, 10,000 meetings)\n")
    print("| path | no cipher (baseline) | envelope AES-256-GCM, Cloud KMS KEK | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| encrypt and store | {nw:.2f} s | {ew:.2f} s | {ew / nw:.2f}x | ≤ 1.3x |")
    print(f"| load and decrypt | {nr:.2f} s | {er:.2f} s | {er / nr:.2f}x | ≤ 1.3x |")
    print(f"\nKMS calls for 10,000 meetings of one org (gRPC KMS emulator): {calls}.")
    print("Writes are chunks of 500 per commit, 4 commits in flight; best of two runs each.")


if __name__ == "__main__":
    main()
