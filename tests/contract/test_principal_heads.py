"""Active principals read unopened, on every document store: plaintext fields now, the email on demand."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.domain.principals import Principal, PrincipalKind, PrincipalState
from shared.ports import DocumentStore
from shared.ports.principal_heads import PrincipalHead


def test_heads_hold_kind_and_lead_and_open_to_the_stored_principal(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    """Only active principals come back, each with its kind and lead override, and opens to what was stored."""
    stores = DocumentStores(document_store, EnvelopeCipher(document_store, LocalKek.from_file(tmp_path / "k"), clock))
    ann = Principal("o1", "p-ann", "ann@example.com", state=PrincipalState.ACTIVE, time_zone="Europe/Berlin")
    room = Principal(
        "o1",
        "p-room",
        "room@example.com",
        kind=PrincipalKind.ROOM,
        state=PrincipalState.ACTIVE,
        join_lead_override=timedelta(minutes=10),
    )
    gone = Principal("o1", "p-gone", "gone@example.com", state=PrincipalState.DEACTIVATED)
    for principal in (ann, room, gone):
        stores.principals.put_principal(principal)
    heads = sorted(stores.principals.active_principal_heads("o1"), key=lambda h: h.id)
    assert heads == [
        PrincipalHead("p-ann", PrincipalKind.PERSON, None),
        PrincipalHead("p-room", PrincipalKind.ROOM, timedelta(minutes=10)),
    ]
    assert [stores.principals.open_principal("o1", h) for h in heads] == [ann, room]
    assert stores.principals.active_principal_heads("o2") == []
