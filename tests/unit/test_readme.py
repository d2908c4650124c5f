"""The README's configuration reference and the code's settings are the same set."""

from __future__ import annotations

import re
from pathlib import Path

from shared.config import SETTINGS

README = Path(__file__).resolve().parents[2] / "README.md"


def _documented() -> set[str]:
    text = README.read_text()
    section = text[text.index("## Configuration reference") :]
    section = section[: section.index("\n## ", 5)]
    return set(re.findall(r"^\| `(HYBRIDCAL_[A-Z0-9_]+)` \|", section, re.MULTILINE))


def test_every_setting_is_documented() -> None:
    """Each setting in shared/config.py has a row in the README's configuration reference."""
    assert {spec.env for spec in SETTINGS} - _documented() == set()


def test_every_documented_setting_exists() -> None:
    """Each row of the README's configuration reference names a setting the code reads."""
    assert _documented() - {spec.env for spec in SETTINGS} == set()
