"""Import times in a fresh interpreter for ``bench.bench_cold_start``: a statement's seconds, and where they go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("google.cloud.firestore", "google.cloud.pubsub", "google.cloud.kms", "googleapiclient", "grpc")
"""The heavy Google clients a function module must not load at import."""


def import_time(statement: str) -> tuple[float, list[str]]:
    """Seconds ``statement`` takes in a fresh interpreter, and which heavy Google clients it loaded."""
    code = (
        "import sys, time\n"
        f"t = time.perf_counter(); {statement}; d = time.perf_counter() - t\n"
        f"print(d, ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, _, heavy = out.stdout.strip().partition(" ")
    return float(seconds), [h for h in heavy.split(",") if h]


def import_profile(statement: str) -> dict[str, float]:
    """Milliseconds of ``statement``'s imports (``python -X importtime``, self times) by where they come from.

    ``floor``: modules the trivial function's ``import flask, functions_framework`` loads too;
    ``pydantic``: pydantic and its core; ``ours``: ``shared`` and ``functions``; ``other``: the
    rest of the third-party and standard-library modules the function adds.
    """
    run = [sys.executable, "-X", "importtime", "-c", statement]
    floor = {
        line.split("|")[2].strip()
        for line in subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import flask, functions_framework"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    }
    split = dict.fromkeys(("floor", "pydantic", "ours", "other"), 0.0)
    for line in subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True).stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line[len("import time:") :].split("|")
        module = name.strip()
        top = module.split(".")[0]
        group = (
            "floor"
            if module in floor
            else "pydantic"
            if top in {"pydantic", "pydantic_core", "annotated_types", "typing_inspection"}
            else "ours"
            if top in {"shared", "functions"}
            else "other"
        )
        split[group] += int(own) / 1000
    return split
