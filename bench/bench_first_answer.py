"""First answer of every function in a fresh interpreter, without a server: what an instance itself costs.

``bench.bench_cold_start`` starts the whole functions-framework server and polls its port, so
both sides of its ratios carry the server's start and the polling, and a loaded machine moves
them by more than a change to the function does. Here each run is one fresh interpreter that
makes the function's app with ``functions_framework.create_app(TARGET, SOURCE)`` (the call the
server makes at start) and answers ``bench.bench_cold_start``'s first request through Flask's
test client, then exits: the clock (wall, from spawning the interpreter to its exit) and the
CPU it used cover the interpreter's start, the imports, building the App on first use and the
one answer, and nothing else. The floor is the trivial function of
``bench/_trivial_function.py`` run the same way, once at the head of each round, with
``bench/_trivial_openapi_function.py`` (the least flask-openapi3 app) beside it for the two APIs;
every ratio is taken within its round, and the figure is the median over the rounds (one untimed
run of each start goes first).

``--trees A B``: run every start from each source tree in turn within each round (the same
interpreter and environment; each tree byte-compiled first), to compare two versions of the
code side by side; the ratios are then the second tree's times over the first's.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_cold_start import BUNDLE, OPENAPI_FLOOR, Start, _probe, embedded_env, ratios, target_of
from functions.registry import ENTRY_POINTS, EntryPoint

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 11
_CHILD = """
import sys
from functions_framework import create_app
target, source, method, path = sys.argv[1:5]
headers = dict(h.split(": ", 1) for h in sys.argv[5].split("\\n") if h)
body = sys.stdin.buffer.read()
app = create_app(target, source)
response = app.test_client().open(path, method=method, headers=headers, data=body)
print(response.status_code)
"""


def first_answer(ep: EntryPoint | str | None, tree: Path, data_dir: Path) -> Start:
    """Run one fresh interpreter that makes ``ep``'s app from ``tree`` and answers its first request."""
    target, source = target_of(ep)
    method, path, headers, body = _probe(ep)
    lines = "\n".join(f"{k}: {v}" for k, v in headers.items())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, target, source, method, path, lines],
        cwd=tree,
        env=embedded_env(data_dir),
        input=body,
        capture_output=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Start(seconds, int(out.stdout.split()[-1]), cpu)


def _names() -> list[EntryPoint | str | None]:
    return [None, OPENAPI_FLOOR, *ENTRY_POINTS]


def _label(ep: EntryPoint | str | None) -> str:
    return "trivial" if ep is None else ep if isinstance(ep, str) else ep.name


def rounds(trees: list[Path], data: Path) -> dict[tuple[int, str], list[Start]]:
    """``REPEATS`` rounds; in each, the floors then every function, each from every tree in turn.

    One untimed run of each start goes first, so that no round reads the bundle from a cold disk cache.
    """
    for ep in _names():
        for i, tree in enumerate(trees):
            first_answer(ep, tree, data / f"warm-{i}-{_label(ep)}")
    runs: dict[tuple[int, str], list[Start]] = {}
    for r in range(REPEATS):
        for ep in _names():
            order = list(enumerate(trees)) if r % 2 == 0 else list(enumerate(trees))[::-1]
            for i, tree in order:
                answer = first_answer(ep, tree, data / f"{i}-{_label(ep)}-{r}")
                runs.setdefault((i, _label(ep)), []).append(answer)
    return runs


def ratio(top: list[Start], bottom: list[Start], field: str = "seconds") -> float:
    """Median of the within-round ratios of the wall time (``seconds``) or of the ``cpu``."""
    wall, cpu = ratios(top, bottom)
    return wall if field == "seconds" else cpu


def ms(answers: list[Start], field: str = "seconds") -> str:
    return f"{statistics.median(getattr(a, field) for a in answers) * 1000:.1f} ms"


def report_one(runs: dict[tuple[int, str], list[Start]]) -> None:
    floor, api_floor = runs[(0, "trivial")], runs[(0, OPENAPI_FLOOR)]
    print(f"## First answer in a fresh interpreter (embedded backend, median of {REPEATS} rounds)\n")
    print(
        f"Floor: the trivial function run the same way, **{ms(floor)}** wall, **{ms(floor, 'cpu')}** CPU; "
        f"the least flask-openapi3 app **{ms(api_floor)}** ({ratio(api_floor, floor):.2f}x). "
        "Ratios are within each round, then the median.\n"
    )
    print("| function | wall | vs trivial | CPU | vs trivial | vs OpenAPI floor | status |")
    print("|---|---|---|---|---|---|---|")
    for ep in ENTRY_POINTS:
        mine = runs[(0, ep.name)]
        vs_api = f"{ratio(mine, api_floor):.2f}x" if ep.trigger == "http" and ep.name != "calendar_webhook" else "-"
        print(
            f"| {ep.name} | {ms(mine)} | {ratio(mine, floor):.2f}x | {ms(mine, 'cpu')} "
            f"| {ratio(mine, floor, 'cpu'):.2f}x | {vs_api} | {mine[-1].status} |"
        )


def report_two(runs: dict[tuple[int, str], list[Start]], trees: list[Path]) -> None:
    print(f"## First answer in a fresh interpreter: {trees[0]} against {trees[1]} (median of {REPEATS} rounds)\n")
    print("| function | first tree | second tree | second / first (wall) | second / first (CPU) | statuses |")
    print("|---|---|---|---|---|---|")
    for ep in _names():
        a, b = runs[(0, _label(ep))], runs[(1, _label(ep))]
        print(
            f"| {_label(ep)} | {ms(a)} | {ms(b)} | {ratio(b, a):.3f}x | {ratio(b, a, 'cpu'):.3f}x "
            f"| {a[-1].status} / {b[-1].status} |"
        )


def main() -> None:
    """Print the figures as a Markdown section (``--repeats N``; ``--trees A B`` to compare two trees)."""
    global REPEATS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help="rounds to take medians of")
    parser.add_argument("--trees", nargs=2, type=Path, help="two source trees to compare, alternating")
    args = parser.parse_args()
    REPEATS = args.repeats
    trees = [t.resolve() for t in args.trees] if args.trees else [ROOT]
    for tree in trees:  # as the buildpack does at deploy
        present = [p for p in BUNDLE if (tree / p).exists()]  # an older tree may lack a floor's file
        subprocess.run([sys.executable, "-m", "compileall", "-f", "-q", *present], cwd=tree, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        runs = rounds(trees, Path(tmp))
    if len(trees) == 1:
        report_one(runs)
    else:
        report_two(runs, trees)


if __name__ == "__main__":
    main()
