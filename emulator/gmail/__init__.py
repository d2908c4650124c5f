"""Gmail v1 vacation settings under ``/gmail/v1``, plus the Gmail part of the control plane."""

from __future__ import annotations
