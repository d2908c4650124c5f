"""Hybrid Calendar: the library every Cloud Function and the local runtime share."""

from __future__ import annotations

__version__ = "0.1.0"
