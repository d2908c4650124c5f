"""The cyclic garbage collector paused while a heavy library loads on first use.

Importing Google's Cloud clients makes some hundred thousand objects that live as long as the
process (modules, classes, protobuf descriptors); the collections they would trigger on the way
(about 120, some of every generation: 30 to 50 ms of a cold start here) find nothing to free. Only
the thread that saw the collector on turns it back on, so nested or concurrent pauses end with
it on, as it was.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the collector off, then turn it back on if it was on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
