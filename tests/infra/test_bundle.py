"""The source bundle infra/source.tf uploads: the right files, text only, and pyproject's requirements.

Terraform cannot run here, so these tests re-evaluate the bundle's file patterns and the
requirements regex in Python and check them against the repository.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from functions.registry import ENTRY_POINTS
from tests.infra.terraform import INFRA, Infra

ROOT = INFRA.parent
BUNDLED_PACKAGES = ("functions", "shared")
TEXT_SUFFIXES = {".py", ".json", ".html", ".css", ".js", ".po", ".sql"}
FIRST_PARTY = {"functions", "shared", "emulator", "tests", "bench", "main"}
# The pattern source.tf applies to pyproject.toml, spelled as Python (Terraform escapes \ and ").
DEPENDENCIES_BLOCK = r"(?s)\ndependencies = \[(.*?)\n\]"
QUOTED = r'"([^"]+)"'


def hcl_string(text: str) -> str:
    """``text`` as the inside of an HCL string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def bundle_files() -> list[Path]:
    """The files source.tf's fileset() patterns select, relative to the repository root."""
    files = [Path("main.py")]
    for package in BUNDLED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "py.typed"):
                files.append(path.relative_to(ROOT))
    return files


def rendered_requirements() -> list[str]:
    """requirements.txt as source.tf renders it from pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(DEPENDENCIES_BLOCK, text)
    assert match, "pyproject.toml has no `dependencies = [` ... `]` block in the form source.tf expects"
    return re.findall(QUOTED, match.group(1))


def test_source_tf_uses_the_patterns_checked_here(infra: Infra) -> None:
    """source.tf selects main.py plus text files of functions/ and shared/, and renders requirements the same way."""
    files = infra.locals["source_files"]
    assert 'fileset(local.repo_root, "main.py")' in files
    assert '"{functions,shared}/**/*.{py,json,html,css,js,po,sql}"' in files
    assert '"{functions,shared}/**/py.typed"' in files
    deps = infra.locals["dependencies"]
    assert hcl_string(DEPENDENCIES_BLOCK) in deps
    assert hcl_string(QUOTED) in deps


def test_requirements_are_exactly_pyprojects_dependencies() -> None:
    """The rendered requirements.txt lists every runtime dependency of pyproject.toml, in order."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        declared = tomllib.load(handle)["project"]["dependencies"]
    assert rendered_requirements() == declared
    assert any(dep.startswith("functions-framework") for dep in declared)


def test_bundle_holds_every_function_module_as_utf8_text() -> None:
    """main.py and each entry point's module are bundled, and every bundled file is UTF-8 (archive_file needs text)."""
    files = bundle_files()
    for ep in ENTRY_POINTS:
        assert Path("functions") / f"{ep.name}.py" in files, ep.name
    for path in files:
        (ROOT / path).read_bytes().decode("utf-8")


def test_no_package_file_is_left_out_of_the_bundle() -> None:
    """Every file in functions/ and shared/ (caches aside) is bundled: a new data file type needs source.tf."""
    bundled = set(bundle_files())
    left_out = [
        str(path.relative_to(ROOT))
        for package in BUNDLED_PACKAGES
        for path in sorted((ROOT / package).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(ROOT) not in bundled
    ]
    assert left_out == []


def test_bundled_modules_import_only_bundled_packages() -> None:
    """No bundled module imports the emulator, tests or bench at module level (they are not deployed)."""
    offenders = []
    for path in bundle_files():
        if path.suffix != ".py":
            continue
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            offenders += [f"{path}: {top}" for top in tops if top in FIRST_PARTY - {"functions", "shared", "main"}]
    assert offenders == []
