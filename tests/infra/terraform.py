"""Read infra/*.tf with python-hcl2 into plain Python values, and compare them with the code.

python-hcl2 keeps HCL quoting in its output (``'"http"'``) in some versions and not in others;
``plain`` removes quotes and parser bookkeeping so the checks below compare ordinary values.
Each ``*_problems`` function returns a list of human-readable mismatches (empty when code and
infra agree), so the tests can show every drift at once and can be fed altered code lists to
prove that drift is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

INFRA = Path(__file__).resolve().parents[2] / "infra"
_BOOKKEEPING = {"__is_block__", "__comments__", "__start_line__", "__end_line__", "__inline_comments__"}


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def plain(value: Any) -> Any:
    """``value`` without HCL quotes around strings and keys and without parser bookkeeping."""
    if isinstance(value, dict):
        return {_unquote(str(k)): plain(v) for k, v in value.items() if k not in _BOOKKEEPING}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return _unquote(value)
    return value


def block(value: Any) -> dict[str, Any]:
    """The single nested block ``value`` (hcl2 gives blocks as one-element lists)."""
    if isinstance(value, list):
        assert len(value) == 1, f"expected one block, got {len(value)}"
        value = value[0]
    assert isinstance(value, dict), f"expected a block, got {value!r}"
    return value


@dataclass
class Infra:
    """Everything declared in infra/*.tf, merged across files."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        """One resource block; AssertionError naming it when it is missing."""
        assert name in self.resources.get(kind, {}), f'infra declares no resource "{kind}" "{name}"'
        return self.resources[kind][name]


def load(directory: Path = INFRA) -> Infra:
    """Parse every .tf file in ``directory``."""
    infra = Infra()
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        infra.text[path.name] = text
        parsed = plain(hcl2.loads(text))
        for section, target in (("resource", infra.resources), ("data", infra.data)):
            for entry in parsed.get(section, []):
                for kind, named in entry.items():
                    for name, body in named.items():
                        assert name not in target.get(kind, {}), f"{kind}.{name} declared twice"
                        target.setdefault(kind, {})[name] = body
        for entry in parsed.get("locals", []):
            for key, value in entry.items():
                assert key not in infra.locals, f"local.{key} declared twice"
                infra.locals[key] = value
        for section, target in (("variable", infra.variables), ("output", infra.outputs)):
            for entry in parsed.get(section, []):
                target.update(entry)
    return infra


def sized_entry_points(infra: Infra) -> dict[str, dict[str, Any]]:
    """The catalogue's entry points with their trigger's defaults merged under them, as ``local.functions`` does."""
    defaults = infra.locals.get("trigger_defaults", {})
    return {name: {**defaults.get(fn["trigger"], {}), **fn} for name, fn in infra.locals["entry_points"].items()}


def references(expression: Any, name: str) -> bool:
    """Whether a Terraform expression (as text) mentions ``name`` as a whole reference."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", str(expression)) is not None


def cron_interval_seconds(cron: str) -> int | None:
    """The fixed interval of a simple unix-cron schedule, or None if it has none.

    Understands what a periodic job needs: ``* * * * *``, ``*/N * * * *``, ``M * * * *``,
    ``M */N * * *`` and ``M H * * *`` (the remaining fields must be ``*``).
    """
    fields = cron.split()
    if len(fields) != 5 or fields[2:] != ["*", "*", "*"]:
        return None
    minute, hour = fields[0], fields[1]
    if hour == "*":
        if minute == "*":
            return 60
        if (m := re.fullmatch(r"\*/(\d+)", minute)) and 60 % int(m.group(1)) == 0:
            return int(m.group(1)) * 60
        return 3600 if minute.isdigit() else None
    if not minute.isdigit():
        return None
    if (h := re.fullmatch(r"\*/(\d+)", hour)) and 24 % int(h.group(1)) == 0:
        return int(h.group(1)) * 3600
    return 86400 if hour.isdigit() else None


def mapping_problems(what: str, code: Mapping[str, Any], infra: Mapping[str, Any]) -> list[str]:
    """Keys the code has and infra lacks (and the reverse), then differing values."""
    problems = [f"{what} {key!r} is in the code but not in infra/catalog.tf" for key in sorted(set(code) - set(infra))]
    problems += [f"{what} {key!r} is in infra/catalog.tf but not in the code" for key in sorted(set(infra) - set(code))]
    for key in sorted(set(code) & set(infra)):
        if code[key] != infra[key]:
            problems.append(f"{what} {key!r}: code says {code[key]!r}, infra says {infra[key]!r}")
    return problems


def names(items: Iterable[Any]) -> list[str]:
    """The ``name`` of every item."""
    return [item.name for item in items]
