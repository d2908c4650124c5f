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
