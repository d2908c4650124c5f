"""The join-button notices one dispatch run sends, recorded and published a batch at a time.

:class:`NoticeOutbox` gathers the notices a run decided on; every ``NOTICE_BATCH`` of them (and
at the end of each pass) it records them create-if-absent in one write and publishes on the
join-buttons topic only the ones this run stored, in one ``send_all`` (Pub/Sub has them in flight
together): racing runs still send each notice once. On a store with transactions across calls
(SQLite) a batch's writes and a bound local bus's publishes commit together.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.presence import JoinButtonNotice, NoticeKind
from shared.ports import MessageBus
from shared.ports.messages import JoinButton
from shared.ports.notice_batches import NOTICE_BATCH
from shared.ports.stores import NoticeRepository, Transactions

Settled = tuple[str, str, str, str, str]
"""(org, notice id, calendar, event, stored meeting version): a notice that needs no correction."""


@dataclass(slots=True)
class DispatchReport:
    """What one dispatch run did."""

    orgs: int = 0
    meetings: int = 0
    sent: int = 0
    duplicates: int = 0
    moved: int = 0
    corrected: int = 0
    cancelled: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class NoticeOutbox:
    """Notices decided by one run, recorded and published ``NOTICE_BATCH`` at a time."""

    def __init__(
        self,
        notices: NoticeRepository,
        bus: MessageBus,
        transactions: Transactions | None,
        on_notice: Callable[[JoinButtonNotice], None] | None,
        report: DispatchReport,
        settled: set[Settled],
        now: datetime,
    ) -> None:
        self._notices, self._bus, self._transactions = notices, bus, transactions
        self._on_notice, self._report, self._settled, self._now = on_notice, report, settled, now
        self._pending: list[tuple[JoinButtonNotice, Settled | None]] = []

    def add(self, notice: JoinButtonNotice, settles: Settled | None = None) -> None:
        """Queue a notice (``settles``: what needs no correction once it is stored); a full batch goes out."""
        self._pending.append((notice, settles))
        if len(self._pending) >= NOTICE_BATCH:
            self.flush()

    def settle(self, checked: Settled) -> None:
        """Remember a notice found to need no correction against its stored meeting (for the next run)."""
        self._settled.add(checked)

    def flush(self) -> None:
        """Record the queued notices and publish the ones this run stored."""
        batch, self._pending = self._pending, []
        if not batch:
            return
        sent: list[JoinButtonNotice] = []
        with self._atomic():
            notices = [n for n, _ in batch]
            stored = self._notices.record_notices(notices, self._now)
            for (notice, settles), new in zip(batch, stored, strict=True):
                if not new:
                    self._report.duplicates += 1
                    continue
                sent.append(notice)
                if settles is not None:
                    self._settled.add(settles)
            self._bus.send_all([self._message(notice) for notice in sent])  # with the batch, in one go
        if self._on_notice is not None:  # after the commit: what it wakes reads the store
            for notice in sent:
                self._on_notice(notice)

    def _atomic(self) -> AbstractContextManager[object]:
        return contextlib.nullcontext() if self._transactions is None else self._transactions.atomic()

    def _message(self, notice: JoinButtonNotice) -> JoinButton:
        """Count the notice as sent and make its message."""
        report, kind = self._report, notice.kind
        report.sent += 1
        report.by_kind[kind.value] = report.by_kind.get(kind.value, 0) + 1
        if kind is NoticeKind.MOVED:
            report.moved += 1
        elif kind is NoticeKind.CANCELLED:
            report.cancelled += 1
        elif kind is not NoticeKind.JOIN:
            report.corrected += 1
        return JoinButton(
            org_id=notice.org_id,
            notice_id=self._notices.notice_id(notice),
            recipient_kind=notice.recipient_kind.value,
            recipient_id=notice.recipient_id,
            notice_kind=kind.value,
        )
