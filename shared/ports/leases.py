"""Lease port: which process start this is, and whether another one may still be working."""

from __future__ import annotations

from typing import Protocol


class Instances(Protocol):
    """This process's instance id and a liveness test for the others."""

    @property
    def instance(self) -> str:
        """The id of this process start."""
        ...

    def alive(self, instance: str) -> bool:
        """Whether the process start ``instance`` may still be working."""
        ...

    def beat(self) -> None:
        """Record that this instance is working (cheap when recorded recently)."""
        ...

    def close(self) -> None:
        """Record that this instance stopped."""
        ...
