"""Lifecycle ports: what runs after a principal validates and before it is deactivated; what a process holds."""

from __future__ import annotations

from typing import Protocol

from shared.domain.principals import Org, Principal


class Activation(Protocol):
    """What happens after validation passes (initial sync and watch) and at deactivation."""

    def after_validation(self, org: Org, principal: Principal) -> None:
        """Run the initial full sync and open a watch channel."""
        ...

    def before_deactivation(self, org: Org, principal: Principal) -> None:
        """Stop the principal's channels."""
        ...


class Releasable(Protocol):
    """Something a serving process holds until it closes (the embedded data directory's lock)."""

    def release(self) -> None:
        """Let go of it (idempotent)."""
        ...
