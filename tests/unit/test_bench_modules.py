"""Every bench module imports: ``make bench`` runs each of them, so a moved import breaks it there first."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"))
def test_the_bench_module_imports(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    if name.startswith("bench_"):
        assert callable(getattr(module, "main", None)), f"bench/{name}.py has no main()"


def test_the_first_answer_bench_times_a_200_from_every_start(tmp_path: Path) -> None:
    """Each fresh interpreter the bench times answers its probe with 200: it times the work, not an error path."""
    from bench.bench_first_answer import ROOT, _names, first_answer

    statuses = {str(ep): first_answer(ep, ROOT, tmp_path / str(i)).status for i, ep in enumerate(_names())}
    assert set(statuses.values()) == {200}, statuses
