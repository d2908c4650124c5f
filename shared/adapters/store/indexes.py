"""The composite indexes the queries need: one list the stores and the Terraform share.

Firestore needs a composite index for every query that filters on more than one field or
orders by another field; SQLite gets the same list as expression indexes.
"""

from __future__ import annotations

import msgspec


class IndexSpec(msgspec.Struct, frozen=True):
    """A composite index on a collection (or a collection group)."""

    collection: str
    fields: tuple[tuple[str, str], ...]
    group: bool = False

    @property
    def name(self) -> str:
        """A stable name for the index."""
        cols = "_".join(name for name, _ in self.fields)
        return f"ix_{self.collection}_{'g_' if self.group else ''}{cols}"


INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("meetings", (("principal_id", "ASCENDING"), ("start", "ASCENDING"))),
    IndexSpec("meetings", (("principal_id", "ASCENDING"), ("event_id", "ASCENDING"))),
    IndexSpec("meetings", (("principal_id", "ASCENDING"), ("series_id", "ASCENDING"))),
    IndexSpec("meetings", (("start", "ASCENDING"), ("end", "ASCENDING"))),
    IndexSpec("principals", (("state", "ASCENDING"), ("kind", "ASCENDING"))),
    IndexSpec("notices", (("meeting_id", "ASCENDING"), ("sent_at", "ASCENDING"))),
    IndexSpec("decisions", (("principal_id", "ASCENDING"), ("at", "DESCENDING"))),
    IndexSpec("meetings", (("hasJoinTarget", "ASCENDING"), ("start", "ASCENDING"))),
    IndexSpec("notices", (("recipientKind", "ASCENDING"), ("recipientId", "ASCENDING"), ("sent_at", "ASCENDING"))),
)

TTL_COLLECTIONS: tuple[str, ...] = ("meetings", "notices", "keys", "decisions", "quota", "alerts", "lightChecks")
"""Collection groups whose documents carry ``expireAt`` (each needs a TTL policy)."""
