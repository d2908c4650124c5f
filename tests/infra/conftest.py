"""Fixtures for the infra checks: the parsed Terraform, once per session."""

from __future__ import annotations

import pytest

from tests.infra import terraform


@pytest.fixture(scope="session")
def infra() -> terraform.Infra:
    """Every infra/*.tf file, parsed and merged."""
    return terraform.load()
