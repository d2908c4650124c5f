"""Notices recorded a batch at a time, on every document store: one write per batch, each notice once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.documents import WriteOp
from shared.domain.meetings import JoinKind, JoinTarget
from shared.domain.presence import JoinButtonNotice, NoticeKind, RecipientKind
from shared.ports import DocumentStore
from shared.ports.notice_batches import NOTICE_BATCH


class _Counting:
    """A document store that records the notice paths of each write call and passes everything on."""

    def __init__(self, inner: DocumentStore) -> None:
        self._inner = inner
        self.batches: list[list[str]] = []

    def write(self, ops: Sequence[WriteOp]) -> list[str | None]:
        """Record the call's notice paths, then write."""
        paths = [op.path for op in ops if "/notices/" in op.path]
        if paths:
            self.batches.append(paths)
        return self._inner.write(ops)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def _notices(clock: ManualClock, count: int, first: int = 0) -> list[JoinButtonNotice]:
    now = clock.now()
    return [
        JoinButtonNotice(
            org_id="o1",
            meeting_id=f"ev{i}",
            recipient_kind=RecipientKind.PERSON,
            recipient_id="p1",
            kind=NoticeKind.JOIN,
            start=now + timedelta(minutes=3),
            end=now + timedelta(minutes=33),
            title=f"Board {i}",
            target=JoinTarget(JoinKind.WEBEX, f"https://acme.webex.com/meet/{i}"),
            sent_at=now,
        )
        for i in range(first, first + count)
    ]


def _stores(document_store: DocumentStore, tmp_path: Path, clock: ManualClock) -> tuple[DocumentStores, _Counting]:
    counting = _Counting(document_store)
    store: DocumentStore = counting  # type: ignore[assignment]
    return DocumentStores(store, EnvelopeCipher(store, LocalKek.from_file(tmp_path / "kek.key"), clock)), counting


def test_new_notices_are_one_write_per_batch(document_store: DocumentStore, tmp_path: Path, clock: ManualClock) -> None:
    """A batch past the batch size is split into atomic writes of at most ``NOTICE_BATCH``; all come back."""
    stores, counting = _stores(document_store, tmp_path, clock)
    notices = _notices(clock, NOTICE_BATCH + 3)
    assert stores.notices.record_notices(notices, clock.now()) == [True] * len(notices)
    assert [len(b) for b in counting.batches] == [NOTICE_BATCH, 3]
    back = {s.notice for s in stores.notices.live_notices("o1", clock.now())}
    assert back == set(notices)


def test_a_batch_meeting_stored_notices_stores_each_other_once(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Notices another run stored first come back False; the rest are stored once, and a repeat stores nothing."""
    stores, counting = _stores(document_store, tmp_path, clock)
    notices = _notices(clock, 5)
    assert stores.notices.record_notice(notices[1], clock.now())
    assert stores.notices.record_notices([notices[3]], clock.now()) == [True]
    counting.batches.clear()
    assert stores.notices.record_notices(notices, clock.now()) == [True, False, True, False, True]
    assert counting.batches[0] == [f"orgs/o1/notices/{stores.notices.notice_id(n)}" for n in notices]
    assert len(counting.batches) == 6, "the refused batch, then one create-if-absent per notice"
    assert stores.notices.record_notices(notices, clock.now()) == [False] * 5
    assert sorted(s.notice.meeting_id for s in stores.notices.live_notices("o1", clock.now())) == [
        f"ev{i}" for i in range(5)
    ]
