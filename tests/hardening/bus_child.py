"""A process that publishes through the embedded bus and hangs in the middle of delivering (to be ``kill -9``ed).

``python -m tests.hardening.bus_child DB LOG``: publishes messages 0..19 on one ordering key (message
3 together with a document, in one transaction; one more in a transaction that rolls back), then
delivers them, writing ``<data> <attempt>`` lines to LOG, and stops dead on message 5.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from shared.adapters.bus.local import LocalBus
from shared.adapters.store.sqlite import SqliteDocumentStore
from shared.documents import Put
from shared.ports import BusMessage


def main(db: str, log: str) -> None:
    """Publish, deliver, and hang on message 5."""
    store = SqliteDocumentStore(db)
    bus = LocalBus(store, workers=2, max_attempts=5)
    bus.subscribe("work", lambda m: None, name="work-sub")  # the subscription exists before anything is published
    bus.close()
    bus = LocalBus(store, workers=2, max_attempts=5)
    for i in range(20):
        if i == 3:
            with store.atomic():
                store.write([Put("things/three", {"n": 3})])
                bus.publish("work", b"3", ordering_key="k")
            continue
        bus.publish("work", str(i).encode(), ordering_key="k")
    try:
        with store.atomic():
            bus.publish("work", b"rolled-back", ordering_key="k")
            raise RuntimeError("the state change failed")
    except RuntimeError:
        pass
    hang = threading.Event()

    def handler(message: BusMessage) -> None:
        with Path(log).open("a") as out:
            out.write(f"{message.data.decode()} {message.delivery_attempt}\n")
        if message.data == b"5":
            hang.wait()

    bus.subscribe("work", handler, name="work-sub")
    hang.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
