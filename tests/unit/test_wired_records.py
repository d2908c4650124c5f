"""The composition root's records: frozen, and no field of the wired ports or services may be None."""

from __future__ import annotations

import ast
import dataclasses

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


def test_the_ports_record_is_frozen_and_has_no_optional_field() -> None:
    """Every field of Ports is always set by ``build()``: none is typed to admit None."""
    assert wiring.Ports.__dataclass_params__.frozen  # type: ignore[attr-defined]
    fields = dataclasses.fields(wiring.Ports)
    assert fields
    assert [f.name for f in fields if _admits_none(str(f.type))] == []


def test_every_service_is_made_and_none_is_typed_to_admit_none() -> None:
    """Every service of Services is made on first use, and what makes it is typed to give one, never None."""
    services = {name: v for name, v in vars(wiring.Services).items() if isinstance(v, wiring.lazy)}
    assert len(services) >= 19
    assert not [name for name, v in vars(wiring.Services).items() if callable(v) and not name.startswith("__")]
    assert [name for name, v in services.items() if _admits_none(str(v.make.__annotations__["return"]))] == []
