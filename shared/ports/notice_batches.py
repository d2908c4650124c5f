"""Recording many join-button notices in few writes: what the dispatcher's first run of a minute needs.

The notices repository (``NoticeRepository`` extends it) records a batch of new notices in one
atomic create-if-absent write instead of one write each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared.domain.presence import JoinButtonNotice

NOTICE_BATCH = 250
"""Notices per atomic write (Firestore's limit is 500 writes per commit)."""


class NoticeBatches(Protocol):
    """Join-button notices recorded a batch at a time, each still exactly once."""

    def record_notices(self, notices: Sequence[JoinButtonNotice], now: datetime) -> list[bool]:
        """Store each notice unless one with its identity exists; per notice, True when this call stored it.

        Every ``NOTICE_BATCH`` notices are one atomic create-if-absent write; a batch that meets a
        notice already stored (a racing run) is retried notice by notice, so each is stored once.
        """
        ...
