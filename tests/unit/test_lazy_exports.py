"""The ports packages load each name from its module on first read, and every name they list resolves."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import shared.ports
import shared.ports.stores
from shared.exports import lazy_exports

PACKAGES = (shared.ports, shared.ports.stores)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_listed_name_is_the_object_its_module_defines(package: object) -> None:
    where = vars(package)["_WHERE"]
    for name in vars(package)["__all__"]:
        if name in where:
            assert getattr(package, name) is getattr(importlib.import_module(where[name]), name), name
        else:
            assert name in vars(package), name  # defined in the package itself
    assert set(where) <= set(dir(package))


def test_a_name_read_loads_only_its_module() -> None:
    code = (
        "import json, sys\n"
        "from shared.ports import BusMessage\n"
        "import shared.ports.stores\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('shared.ports'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == [
        "shared.ports",
        "shared.ports.bus",
        "shared.ports.messages",
        "shared.ports.stores",
    ]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        shared.ports.Nothing  # noqa: B018
    getattr_, _ = lazy_exports("shared.ports", {})
    with pytest.raises(AttributeError):
        getattr_("Bus")
