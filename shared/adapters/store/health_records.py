"""The ``HealthRecords`` port over any DocumentStore: counters, last runs, alert hooks and alerts.

Layout: ``orgs/{org}/quota/{hour}`` (rate-limit answers of one UTC hour, expiring after two days),
``healthRuns/{name}`` (the latest run of a job), ``orgs/{org}/alertHooks/{id}`` (URL and secret
sealed under the org's key, a blind index of the URL for duplicates) and ``orgs/{org}/alerts/{id}``
(the kind and deliveries in the clear, the details sealed: they may name a principal or a topic).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.store.claims import domain_owner
from shared.adapters.store.records import RecordCodec
from shared.documents import Delete, Filter, Put, Query, collection_path, doc_path
from shared.domain.health import Alert, AlertHook, AlertKind, Delivery, DeliveryState
from shared.errors import Conflict, PreconditionFailed
from shared.ports import Cipher, DocumentStore

KEEP_COUNTS = timedelta(days=2)
KEEP_ALERTS = timedelta(days=31)
ROUNDS = 10


class DocumentHealthRecords:
    """Health counters, job runs, hooks and alerts kept in the document store."""

    def __init__(self, documents: DocumentStore, cipher: Cipher) -> None:
        self._documents, self._cipher = documents, cipher
        self._codec = RecordCodec(cipher)

    # ------------------------------------------------------------ counters and runs

    def note_rate_limited(self, subject: str, status: int, at: datetime) -> None:
        """Count one rate-limit answer under the org that owns the subject's domain (none: not counted)."""
        org_id = domain_owner(self._documents, subject.rpartition("@")[2].lower())
        if org_id is None:
            return
        hour = at.astimezone(UTC).strftime("%Y%m%d%H")
        path = doc_path("orgs", org_id, "quota", hour)
        for _ in range(ROUNDS):
            doc = self._documents.get(path)
            data: dict[str, Any] = dict(doc.data) if doc is not None else {}
            data.setdefault("hour", at.replace(minute=0, second=0, microsecond=0))
            data[str(status)] = int(data.get(str(status), 0)) + 1
            data["expireAt"] = at + KEEP_COUNTS
            try:
                self._documents.write([Put(path, data, if_absent=doc is None, if_version=doc.version if doc else None)])
                return
            except (Conflict, PreconditionFailed):
                continue

    def rate_limited(self, org_id: str, since: datetime) -> dict[str, int]:
        """Rate-limit answers counted for an org in the hours since ``since``, by status."""
        counts = {"429": 0, "403": 0}
        floor = since.replace(minute=0, second=0, microsecond=0)
        for doc in self._documents.query(Query(collection_path("orgs", org_id, "quota"))):
            if doc.data.get("hour") is not None and doc.data["hour"] >= floor:
                for status in counts:
                    counts[status] += int(doc.data.get(status, 0))
        return counts

    def note_run(self, name: str, data: dict[str, Any], at: datetime) -> None:
        """Remember the latest run of a job."""
        self._documents.write([Put(doc_path("healthRuns", name), {**data, "at": at})])

    def last_run(self, name: str) -> dict[str, Any] | None:
        """The latest run of a job, or None."""
        doc = self._documents.get(doc_path("healthRuns", name))
        return dict(doc.data) if doc is not None else None

    def note_checked(self, org_id: str, principal_id: str, at: datetime) -> None:
        """Remember when a principal last had a light re-validation (kept a week)."""
        path = doc_path("orgs", org_id, "lightChecks", principal_id)
        self._documents.write([Put(path, {"at": at, "expireAt": at + timedelta(days=7)})])

    def last_checked(self, org_id: str, principal_id: str) -> datetime | None:
        """When a principal last had a light re-validation."""
        doc = self._documents.get(doc_path("orgs", org_id, "lightChecks", principal_id))
        return doc.data.get("at") if doc is not None else None

    # ------------------------------------------------------------ hooks

    def add_hook(self, hook: AlertHook) -> None:
        """Register a hook (URL and secret sealed); Conflict when the org has one for the same URL."""
        index = self._cipher.blind_index(hook.org_id, hook.url, "alert-hook")
        where = (Filter("urlIndex", "==", index),)
        if any(True for _ in self._documents.query(Query(self._hooks(hook.org_id), where=where))):
            raise Conflict("this org already has an alert hook for that URL")
        seal = self._codec.seal
        data = {
            "url": seal(hook.org_id, "alertHooks", hook.id, "url", hook.url),
            "secret": seal(hook.org_id, "alertHooks", hook.id, "secret", hook.secret),
            "urlIndex": index,
            "createdAt": hook.created_at,
        }
        self._documents.write([Put(doc_path("orgs", hook.org_id, "alertHooks", hook.id), data, if_absent=True)])

    def hooks(self, org_id: str) -> list[AlertHook]:
        """An org's hooks, oldest first."""
        found = []
        for doc in self._documents.query(Query(self._hooks(org_id))):
            url = self._codec.open(org_id, "alertHooks", doc.id, "url", str(doc.data["url"]))
            secret = self._codec.open(org_id, "alertHooks", doc.id, "secret", str(doc.data["secret"]))
            found.append(AlertHook(org_id, doc.id, url, secret, doc.data["createdAt"]))
        return sorted(found, key=lambda h: (h.created_at, h.id))

    def delete_hook(self, org_id: str, hook_id: str) -> bool:
        """Remove a hook; False when there was none."""
        path = doc_path("orgs", org_id, "alertHooks", hook_id)
        if self._documents.get(path) is None:
            return False
        self._documents.write([Delete(path)])
        return True

    @staticmethod
    def _hooks(org_id: str) -> str:
        return collection_path("orgs", org_id, "alertHooks")

    # ------------------------------------------------------------ alerts

    def _alert_doc(self, alert: Alert) -> dict[str, Any]:
        details = json.dumps(alert.data, sort_keys=True, default=str)
        return {
            "kind": alert.kind.value,
            "data": self._codec.seal(alert.org_id, "alerts", alert.id, "data", details),
            "createdAt": alert.created_at,
            "pending": alert.pending,
            "deliveries": [
                {
                    "hook": d.hook_id,
                    "state": d.state.value,
                    "attempts": d.attempts,
                    "nextAt": d.next_at,
                    "lastStatus": d.last_status,
                    "deliveredAt": d.delivered_at,
                }
                for d in alert.deliveries
            ],
            "expireAt": alert.created_at + KEEP_ALERTS,
        }

    def add_alert(self, alert: Alert) -> bool:
        """Record an alert unless one with its id exists."""
        path = doc_path("orgs", alert.org_id, "alerts", alert.id)
        try:
            self._documents.write([Put(path, self._alert_doc(alert), if_absent=True)])
        except Conflict:
            return False
        return True

    def put_alert(self, alert: Alert) -> None:
        """Replace an alert."""
        self._documents.write([Put(doc_path("orgs", alert.org_id, "alerts", alert.id), self._alert_doc(alert))])

    def alerts(self, org_id: str, *, pending_only: bool = False, limit: int = 100) -> list[Alert]:
        """An org's alerts, newest first."""
        where = (Filter("pending", "==", True),) if pending_only else ()
        found = []
        for doc in self._documents.query(Query(collection_path("orgs", org_id, "alerts"), where=where)):
            data = json.loads(self._codec.open(org_id, "alerts", doc.id, "data", str(doc.data["data"])))
            deliveries = tuple(
                Delivery(
                    str(d["hook"]),
                    DeliveryState(d["state"]),
                    int(d["attempts"]),
                    d.get("nextAt"),
                    d.get("lastStatus"),
                    d.get("deliveredAt"),
                )
                for d in doc.data.get("deliveries") or []
            )
            found.append(Alert(org_id, doc.id, AlertKind(doc.data["kind"]), data, doc.data["createdAt"], deliveries))
        found.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        return found[:limit]
