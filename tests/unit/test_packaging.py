"""Packaging metadata in the forms current setuptools accepts without deprecation warnings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.licenses import canonicalize_license_expression

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _project() -> dict[str, object]:
    return dict(tomllib.loads(PYPROJECT.read_text(encoding="utf-8")))


def test_the_license_is_an_spdx_expression_string() -> None:
    """`project.license` is a plain SPDX string (the table form is deprecated) and the build needs setuptools 77+."""
    data = _project()
    project = data["project"]
    assert isinstance(project, dict)
    assert isinstance(project["license"], str)
    assert canonicalize_license_expression(project["license"]) == project["license"] == "Apache-2.0"
    build = data["build-system"]
    assert isinstance(build, dict)
    [setuptools] = [r for r in build["requires"] if r.startswith("setuptools")]
    found = re.search(r">=\s*(\d+)", setuptools)
    assert found is not None and int(found.group(1)) >= 77


def test_the_landing_page_and_icon_are_packaged() -> None:
    """The landing page is package data and the icon is code, so both reach wheels and the functions' bundle."""
    from shared.runtime import icons

    patterns = _project()["tool"]["setuptools"]["package-data"]["*"]  # type: ignore[index]
    assert "*.html" in patterns and (PYPROJECT.parent / "shared" / "web" / "index.html").is_file()
    assert icons.ICO[:4] == b"\x00\x00\x01\x00" and icons.ICO[22:26] == b"\x89PNG" and icons.SVG.startswith("<svg")
