"""The repositories over any DocumentStore and Cipher, gathered in one :class:`DocumentStores` record.

Orgs and principals are here; meetings, sync states, channels and presence in
``calendar_repositories``; decisions, notices, devices and dead letters in
``record_repositories``. Every repository shares one :class:`StoreBackend` (the document store,
the cipher and the record codec), so encryption and the retention window apply on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from msgspec.structs import replace

from shared.adapters.store import principal_heads
from shared.adapters.store.claims import domain_owner
from shared.adapters.store.records import RecordCodec
from shared.documents import Delete, Filter, Put, Query, WriteOp, collection_path, doc_path
from shared.domain.principals import Org, Principal, PrincipalState
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.logs import ctx, get_logger
from shared.ports import Cipher, DocumentStore
from shared.ports.principal_heads import PrincipalHead
from shared.ports.stores import Stores

UPDATE_ATTEMPTS = 10
"""Compare-and-set rounds of :meth:`PrincipalRepository.update_principal` before it gives up."""

log = get_logger(__name__)


class StoreBackend:
    """What every repository shares: the document store, the cipher and the record codec."""

    def __init__(self, documents: DocumentStore, cipher: Cipher) -> None:
        self.documents = documents
        self.cipher = cipher
        self.codec = RecordCodec(cipher)

    def atomic(self) -> AbstractContextManager[object]:
        """One transaction for this thread's writes and a bound local bus's publishes (where the store has one)."""
        return self.documents.atomic()


class OrgRepository:
    """Orgs and their sealed secrets."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def get_org(self, org_id: str) -> Org | None:
        """Read an org."""
        doc = self._s.documents.get(doc_path("orgs", org_id))
        return None if doc is None else self._s.codec.org_from_doc(org_id, doc.data)

    def put_org(self, org: Org, service_account_key: str | None = None, *, create: bool = False) -> None:
        """Create or replace an org; sealed secrets (and the key, unless a new one is given) are kept.

        A new org claims its domain (``domains/{domain}``) in the same atomic write, so two orgs
        never share a domain: Conflict when the id or the domain is taken.
        """
        path = doc_path("orgs", org.id)
        data = self._s.codec.org_to_doc(org, service_account_key)
        existing = self._s.documents.get(path)
        if create and existing is not None:
            raise Conflict(f"org {org.id!r} already exists")
        if create:
            owner = domain_owner(self._s.documents, org.domain)
            if owner is not None:
                raise Conflict(f"the domain {org.domain} already belongs to org {owner!r}")
            claim = Put(
                doc_path("domains", org.domain), {"org_id": org.id, "createdAt": org.created_at}, if_absent=True
            )
            self._s.documents.write([Put(path, data, if_absent=True), claim])
            return
        if existing is not None:
            for name, value in existing.data.items():
                keep = name.startswith("secret_") or (name == "serviceAccountKey" and service_account_key is None)
                if keep:
                    data[name] = value
        self._s.documents.write([Put(path, data)])

    def service_account_key(self, org_id: str) -> str | None:
        """Open the org's stored service-account key, if it has one."""
        doc = self._s.documents.get(doc_path("orgs", org_id))
        if doc is None:
            raise NotFound("no such org")
        token = doc.data.get("serviceAccountKey")
        return self._s.codec.open(org_id, "orgs", org_id, "serviceAccountKey", token) if token else None

    def put_org_secret(self, org_id: str, name: str, value: str | None) -> None:
        """Seal (or, with None, remove) a named secret of an org, such as its Webex access token."""
        path = doc_path("orgs", org_id)
        doc = self._s.documents.get(path)
        if doc is None:
            raise NotFound("no such org")
        data = {k: v for k, v in doc.data.items() if k != f"secret_{name}"}
        if value is not None:
            data[f"secret_{name}"] = self._s.codec.seal(org_id, "orgs", org_id, f"secret_{name}", value)
        self._s.documents.write([Put(path, data, if_version=doc.version)])

    def org_secret(self, org_id: str, name: str) -> str | None:
        """Open a named secret of an org, if it has one."""
        doc = self._s.documents.get(doc_path("orgs", org_id))
        token = doc.data.get(f"secret_{name}") if doc is not None else None
        return self._s.codec.open(org_id, "orgs", org_id, f"secret_{name}", token) if token else None

    def org_secret_names(self, org_id: str) -> frozenset[str]:
        """The names of an org's sealed secrets."""
        doc = self._s.documents.get(doc_path("orgs", org_id))
        names = doc.data if doc is not None else {}
        return frozenset(n.removeprefix("secret_") for n in names if n.startswith("secret_"))

    def list_orgs(self) -> list[Org]:
        """Every org of the deployment."""
        return [self._s.codec.org_from_doc(d.id, d.data) for d in self._s.documents.query(Query("orgs"))]

    def org_by_domain(self, domain: str) -> Org | None:
        """The org serving ``domain``, if any: always the same one (its domain claim, else the oldest)."""
        owner = domain_owner(self._s.documents, domain)
        return None if owner is None else self.get_org(owner)


class PrincipalRepository:
    """Principals by id or by email's blind index, and the purge of a principal's data."""

    def __init__(self, backend: StoreBackend) -> None:
        self._s = backend

    def principal_id(self, org_id: str, email: str) -> str:
        """The stable id of the principal with this email (its blind index)."""
        return self._s.cipher.blind_index(org_id, email, "principal")

    def get_principal(self, org_id: str, principal_id: str) -> Principal | None:
        """Read a principal by id."""
        doc = self._s.documents.get(doc_path("orgs", org_id, "principals", principal_id))
        return None if doc is None else self._s.codec.principal_from_doc(org_id, principal_id, doc.data)

    def find_principal(self, org_id: str, email: str) -> Principal | None:
        """Read a principal by email."""
        return self.get_principal(org_id, self.principal_id(org_id, email))

    def put_principal(self, principal: Principal, *, if_version: str | None = None) -> None:
        """Create or replace a principal."""
        index = self._s.cipher.blind_index(principal.org_id, principal.email, "principal")
        path = doc_path("orgs", principal.org_id, "principals", principal.id)
        self._s.documents.write([Put(path, self._s.codec.principal_to_doc(principal, index), if_version=if_version)])

    def update_principal(
        self, org_id: str, principal_id: str, change: Callable[[Principal], Principal]
    ) -> Principal | None:
        """Apply ``change`` to the stored principal with compare-and-set, re-reading on a race; None if it is gone.

        A change that leaves the principal as it is writes nothing."""
        path = doc_path("orgs", org_id, "principals", principal_id)
        for _ in range(UPDATE_ATTEMPTS):
            doc = self._s.documents.get(path)
            if doc is None:
                return None
            current = self._s.codec.principal_from_doc(org_id, principal_id, doc.data)
            changed = change(current)
            if changed == current:  # nothing to write (a principal the change leaves alone)
                return changed
            index = self._s.cipher.blind_index(org_id, changed.email, "principal")
            try:
                self._s.documents.write(
                    [Put(path, self._s.codec.principal_to_doc(changed, index), if_version=doc.version)]
                )
            except PreconditionFailed:
                continue
            return changed
        raise Conflict("the principal kept changing while it was being updated")

    def list_principals(self, org_id: str, *, active_only: bool = False) -> list[Principal]:
        """Principals of an org, optionally only the active ones."""
        where = (Filter("state", "==", PrincipalState.ACTIVE.value),) if active_only else ()
        docs = self._s.documents.query(Query(collection_path("orgs", org_id, "principals"), where))
        return [self._s.codec.principal_from_doc(org_id, d.id, d.data) for d in docs]

    def active_principal_heads(self, org_id: str) -> list[PrincipalHead]:
        """Every active principal of an org, unopened (one query, no decryption)."""
        return principal_heads.active_principal_heads(self._s, org_id)

    def open_principal(self, org_id: str, head: PrincipalHead) -> Principal:
        """The whole principal behind a head (its sealed fields opened)."""
        return principal_heads.open_principal(self._s, org_id, head)

    def delete_principal(self, org_id: str, principal_id: str) -> None:
        """Delete a principal's own record."""
        self._s.documents.write([Delete(doc_path("orgs", org_id, "principals", principal_id))])

    def destroy_principal_data(self, org_id: str, principal_id: str) -> int:
        """Delete a principal's meetings, presence, notices, decisions, sync state, devices, room policy and
        outcomes and its last light check, then shred its keys."""
        queries, paths = _principal_data(org_id, principal_id)
        ops: list[WriteOp] = [Delete(d.path) for q in queries for d in self._s.documents.query(q)]
        ops += [Delete(path) for path in paths]
        self._s.documents.bulk_write(ops)
        self._s.cipher.shred(org_id, principal_id)
        if not self._s.documents.scrub():  # no copy of the shredded key may stay behind in the store's files
            log.warning("the store's log was busy: the next maintenance run scrubs it", extra=ctx(org=org_id))
        return len(ops)

    def deactivated_since(self, org_id: str, since: datetime) -> list[str]:
        """Ids of the org's principals deactivated at ``since`` or later (one range query, nothing opened).

        The range is on the deactivation time alone: on Firestore a single-field index, so the query reads
        the recent deactivations only, however many older ones the org keeps (SQLite scans the org's
        principals)."""
        query = Query(
            collection_path("orgs", org_id, "principals"),
            (Filter("deactivatedAt", ">=", since),),
            select=("deactivatedAt", "state"),
        )
        deactivated = PrincipalState.DEACTIVATED.value
        return [d.id for d in self._s.documents.query(query) if d.data.get("state") == deactivated]

    def principal_data_left(self, org_id: str, principal_id: str) -> bool:
        """Whether anything ``destroy_principal_data`` deletes is stored for the principal, or its key material:
        one batched read and one query of at most one document per kind."""
        queries, paths = _principal_data(org_id, principal_id)
        key = doc_path("orgs", org_id, "principalKeys", principal_id)
        if any(doc is not None for doc in self._s.documents.get_all([*paths, key])):
            return True
        return any(next(iter(self._s.documents.query(replace(q, limit=1))), None) is not None for q in queries)


def _principal_data(org_id: str, principal_id: str) -> tuple[tuple[Query, ...], tuple[str, ...]]:
    """Where a principal's data is: the queries that find its documents, and its documents by path."""
    org = ("orgs", org_id)
    queries = (
        Query(collection_path(*org, "meetings"), (Filter("principal_id", "==", principal_id),)),
        Query(collection_path(*org, "notices"), (Filter("recipientId", "==", principal_id),)),
        Query("devices", (Filter("org_id", "==", org_id), Filter("room_id", "==", principal_id))),
        Query(collection_path(*org, "decisions"), (Filter("principal_id", "==", principal_id),)),
        Query(collection_path(*org, "roomOutcomes"), (Filter("room_id", "==", principal_id),)),
    )
    kinds = ("presence", "syncStates", "roomPolicies", "lightChecks")
    return queries, tuple(doc_path(*org, kind, principal_id) for kind in kinds)


class DocumentStores(Stores):
    """The ``Stores`` record over one DocumentStore and one Cipher."""

    backend: StoreBackend

    def __init__(self, documents: DocumentStore, cipher: Cipher) -> None:
        from shared.adapters.store.calendar_repositories import (
            ChannelRepository,
            MeetingRepository,
            PresenceRepository,
            SyncStateRepository,
        )
        from shared.adapters.store.record_repositories import (
            DeadLetterRepository,
            DecisionRepository,
            DeviceRepository,
            NoticeRepository,
        )

        backend = StoreBackend(documents, cipher)
        super().__init__(
            orgs=OrgRepository(backend),
            principals=PrincipalRepository(backend),
            meetings=MeetingRepository(backend),
            sync_states=SyncStateRepository(backend),
            channels=ChannelRepository(backend),
            presence=PresenceRepository(backend),
            decisions=DecisionRepository(backend),
            notices=NoticeRepository(backend),
            devices=DeviceRepository(backend),
            dead_letters=DeadLetterRepository(backend),
            transactions=backend,
        )
        object.__setattr__(self, "backend", backend)

    @property
    def documents(self) -> DocumentStore:
        """The document store under every repository."""
        return self.backend.documents

    @property
    def cipher(self) -> Cipher:
        """The cipher every repository seals with."""
        return self.backend.cipher

    @property
    def codec(self) -> RecordCodec:
        """The record codec every repository shares."""
        return self.backend.codec
