"""Active principals read unopened (``shared.ports.principal_heads``), over the repositories' backend."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from shared.documents import Document, Filter, Query, collection_path
from shared.domain.principals import Principal, PrincipalKind, PrincipalState
from shared.ports.principal_heads import PrincipalHead

if TYPE_CHECKING:
    from shared.adapters.store.repositories import StoreBackend


def active_principal_heads(stores: StoreBackend, org_id: str) -> list[PrincipalHead]:
    """Every active principal of an org: its plaintext fields, the document kept to open it later."""
    where = (Filter("state", "==", PrincipalState.ACTIVE.value),)
    out = []
    for doc in stores.documents.query(Query(collection_path("orgs", org_id, "principals"), where)):
        lead = doc.data.get("joinLeadSeconds")
        override = timedelta(seconds=int(lead)) if lead is not None else None
        out.append(PrincipalHead(doc.id, PrincipalKind(doc.data["kind"]), override, handle=doc))
    return out


def open_principal(stores: StoreBackend, org_id: str, head: PrincipalHead) -> Principal:
    """The principal behind a head (its email and other sealed fields opened)."""
    doc = head.handle
    if not isinstance(doc, Document):
        raise TypeError("not a head this store made")
    return stores.codec.principal_from_doc(org_id, doc.id, doc.data)
