"""One org per domain: the ``domains/{domain}`` claim an org creates with itself, and the lookup through it.

A claim is a document whose id is the domain, written with create-if-absent in the same atomic
write as the org, so it is a unique constraint on every document store (Firestore has no other
kind). Orgs made before claims existed have none: the lookup then takes the oldest org with the
domain (by ``createdAt``, then id), never whichever the store lists first.
"""

from __future__ import annotations

from shared.documents import Filter, Query, doc_path
from shared.ports import DocumentStore


def domain_owner(documents: DocumentStore, domain: str) -> str | None:
    """The id of the org that serves ``domain``, if any."""
    domain = domain.lower()
    if not domain or "/" in domain:
        return None
    claim = documents.get(doc_path("domains", domain))
    if claim is not None:
        return str(claim.data["org_id"])
    found = list(documents.query(Query("orgs", (Filter("domain", "==", domain),))))
    if not found:
        return None
    oldest = min(found, key=lambda d: (d.data.get("createdAt") is None, d.data.get("createdAt") or 0, d.id))
    return oldest.id
