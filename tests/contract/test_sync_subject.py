"""A sync's starting point read together, over every document store: what the three single reads give."""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from shared.adapters.crypto.envelope import EnvelopeCipher
from shared.adapters.crypto.local import LocalKek
from shared.adapters.store.repositories import DocumentStores
from shared.clock import ManualClock
from shared.domain.principals import CredentialRef, Org, Principal, PrincipalState
from shared.domain.sync import SyncState
from shared.ports import DocumentStore


def test_the_subject_is_what_the_single_reads_give(
    document_store: DocumentStore, tmp_path: Path, clock: ManualClock
) -> None:
    stores = DocumentStores(document_store, EnvelopeCipher(document_store, LocalKek.from_file(tmp_path / "k"), clock))
    nothing = stores.sync_states.sync_subject("o1", "p1")
    assert (nothing.org, nothing.principal, nothing.version) == (None, None, None)
    assert nothing.state == SyncState(org_id="o1", principal_id="p1")

    org = Org(id="o1", domain="example.com", credential=CredentialRef("stored", ""))
    stores.orgs.put_org(org, create=True)
    pid = stores.principals.principal_id("o1", "ann@example.com")
    stores.principals.put_principal(Principal("o1", pid, "ann@example.com", state=PrincipalState.ACTIVE))
    unsynced = stores.sync_states.sync_subject("o1", pid)
    assert unsynced.org == stores.orgs.get_org("o1") and unsynced.principal == stores.principals.get_principal(
        "o1", pid
    )
    assert (unsynced.state, unsynced.version) == (SyncState(org_id="o1", principal_id=pid), None)

    state, _ = stores.sync_states.get_sync_state("o1", pid)
    version = stores.sync_states.put_sync_state(replace(state, sync_token="tok-1"), if_version=None, create=True)
    synced = stores.sync_states.sync_subject("o1", pid)
    assert (synced.state, synced.version) == stores.sync_states.get_sync_state("o1", pid)
    assert synced.version == version and synced.state.sync_token == "tok-1"
