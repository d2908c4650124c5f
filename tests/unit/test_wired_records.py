"""The composition root's records: frozen, and no field of the wired ports or services may be None."""

from __future__ import annotations

import ast
import dataclasses

import pytest

import shared.wiring as wiring


def _admits_none(annotation: str) -> bool:
    """True when an annotation (as written) lets the field hold None: ``X | None``, ``Optional[X]``, ``None``."""
    nodes = ast.walk(ast.parse(annotation, mode="eval"))
    return any(
        (isinstance(n, ast.Constant) and n.value is None) or (isinstance(n, ast.Name) and n.id == "Optional")
        for n in nodes
    )


def test_the_annotation_check_sees_optional_fields() -> None:
    """The check itself tells an optional annotation from a required one."""
    assert _admits_none("DataDirLock | None") and _admits_none("Optional[Clock]")
    assert not _admits_none("Releasable") and not _admits_none("Callable[[str], bool]")


@pytest.mark.parametrize("record", [wiring.Ports, wiring.Services], ids=lambda r: r.__name__)
def test_wired_records_are_frozen_and_have_no_optional_field(record: type) -> None:
    """Every field of Ports and Services is always set by ``build()``: none is typed to admit None."""
    assert record.__dataclass_params__.frozen  # type: ignore[attr-defined]
    fields = dataclasses.fields(record)
    assert fields
    assert [f.name for f in fields if _admits_none(str(f.type))] == []
