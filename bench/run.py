"""Run every ``bench/bench_*.py`` module and write ``bench/RESULTS.md``.

Each module runs in its own process (``python -m bench.bench_x``) and prints a Markdown
section; this runner adds the machine, the date and the command, and collects the sections.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        mem_kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "unknown memory"
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}"


def main() -> int:
    """Run the benchmarks named on the command line (default: all) and write RESULTS.md."""
    names = sys.argv[1:] or sorted(p.stem for p in HERE.glob("bench_*.py"))
    sections = []
    failed = 0
    for name in names:
        module = f"bench.{name}"
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True, check=False)
        took = time.monotonic() - started
        if result.returncode != 0:
            failed += 1
            sections.append(f"## {name}\n\nFAILED (exit {result.returncode}):\n\n```\n{result.stderr[-2000:]}\n```\n")
        else:
            sections.append(result.stdout.strip() + f"\n\n_Command: `python -m {module}` ({took:.0f} s)._\n")
        print(sections[-1], flush=True)
    header = (
        "# Benchmark results\n\n"
        f"Written by `make bench` (`python -m bench.run`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        f"Machine: {machine()}.\n\n"
        "Every ratio is against a baseline measured in the same run, on the same machine.\n\n"
    )
    (HERE / "RESULTS.md").write_text(header + "\n".join(sections))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
