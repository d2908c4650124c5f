"""Dead letters for admins: every message the bus gave up on, counted per topic and per principal.

``record`` takes a message from a ``<topic>-dead-letter`` topic (the local runtime subscribes it
to each). Payloads carry ids only, so the record names the source topic, the org and the
principals the message was about, the attempts and the last error (sealed under the org's key:
an error text can quote anything), and it expires after 31 days. A message about no known org
is kept deployment-wide. When work for an active principal is dead-lettered the principal stays
active but gets the reason ``processing_failed`` and a detail naming the topic and the error,
so ``users show`` tells why its meetings stopped updating; revalidation clears it.
``summary`` is what the admin API and ``hybrid-calendar dead-letters`` show.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from msgspec.structs import replace

from shared.domain.principals import ErrorReason, Principal, PrincipalState
from shared.logs import ctx, get_logger, redact
from shared.ports import BusMessage, Stores
from shared.ports.clock import Clock
from shared.ports.dead_letters import DeadLetter, DeadLetterRepository
from shared.ports.stores import OrgRepository, PrincipalRepository

log = get_logger(__name__)
KEEP = timedelta(days=31)
ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _ident(value: Any) -> str | None:
    """An id from a payload when it looks like one of ours (a path-safe string), else None."""
    if isinstance(value, str) and 0 < len(value) <= 128 and set(value) <= ID_CHARS:
        return value
    return None


def _about(data: bytes) -> tuple[str | None, list[str], str | None]:
    """(org id, principal ids, raw org text) named by a message payload; nothing when it is not ours."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, [], None
    if not isinstance(body, dict):
        return None, [], None
    raw = body.get("org_id")
    batch = body.get("principal_ids")
    ids = [body.get("principal_id"), *(batch if isinstance(batch, list) else [])]
    principals = [p for p in (_ident(v) for v in ids) if p is not None]
    return _ident(raw), principals, (redact(str(raw))[:64] if raw is not None else None)


class DeadLetterService:
    """Records dead letters where admins can see them."""

    def __init__(
        self, orgs: OrgRepository, principals: PrincipalRepository, letters: DeadLetterRepository, clock: Clock
    ) -> None:
        self._orgs, self._principals, self._letters, self._clock = orgs, principals, letters, clock

    def record(self, message: BusMessage) -> None:
        """Keep one dead-lettered message (idempotent per message) and mark the principals it was about."""
        topic = str(message.attributes.get("sourceTopic") or message.topic.removesuffix("-dead-letter"))
        error = redact(str(message.attributes.get("deadLetterReason") or "unknown"))[:1000]
        org_id, principals, raw_org = _about(message.data)
        now = self._clock.now()
        doc_id = _ident(message.message_id) or uuid.uuid4().hex
        org = self._orgs.get_org(org_id) if org_id else None
        if org is None:
            letter = DeadLetter(topic, tuple(principals), now, now + KEEP, error[:300])
            self._letters.record_dead_letter(doc_id, letter, raw_org)
            log.warning("dead letter about no known org", extra=ctx(topic=topic))
            return
        self._letters.record_dead_letter(
            doc_id, DeadLetter(topic, tuple(principals), now, now + KEEP, error, org.id), None
        )
        for principal_id in principals:
            self._mark(org.id, principal_id, topic, error)
        log.warning("dead letter recorded", extra=ctx(topic=topic, org=org.id, principals=len(principals)))

    def _mark(self, org_id: str, principal_id: str, topic: str, error: str) -> None:
        """Note the dead letter on an active principal, by compare-and-set: a principal deactivated (or
        changed) meanwhile is read again, and one no longer active is left as it is."""
        code = error.split(":", 1)[0]
        detail = f"work on {topic} was dead-lettered after every retry (last error: {code}); see the dead letters"

        def mark(principal: Principal) -> Principal:
            if principal.state is not PrincipalState.ACTIVE:
                return principal
            return replace(principal, reason=ErrorReason.PROCESSING_FAILED, detail=detail, updated_at=self._clock.now())

        self._principals.update_principal(org_id, principal_id, mark)


def _entry(bucket: dict[str, Any], topic: str, at: datetime, error: str) -> None:
    bucket["count"] = bucket.get("count", 0) + 1
    per_topic = bucket.setdefault("topics", {})
    per_topic[topic] = per_topic.get(topic, 0) + 1
    if bucket.get("last_at") is None or at >= bucket["last_at"]:
        bucket["last_at"], bucket["last_error"] = at, error


def of_principal(stores: Stores, org_id: str, principal_id: str) -> dict[str, Any]:
    """How many dead letters were about one principal, and the latest with its error."""
    bucket: dict[str, Any] = {"count": 0, "last_at": None, "last_error": None}
    for letter in stores.dead_letters.dead_letters_about(org_id, principal_id):
        _entry(bucket, letter.topic, letter.at, letter.error)
    bucket.pop("topics", None)
    return bucket


def summary(stores: Stores, org_id: str | None = None) -> dict[str, Any]:
    """Dead letters counted per topic (and, for an org, per principal) with the latest error of each."""
    totals: dict[str, Any] = {}
    topics: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    for letter in stores.dead_letters.dead_letters(org_id):
        at, topic, error = letter.at, letter.topic, letter.error
        _entry(totals, topic, at, error)
        _entry(topics.setdefault(topic, {}), topic, at, error)
        for principal_id in letter.principals:
            _entry(people.setdefault(principal_id, {}), topic, at, error)
    out: dict[str, Any] = {
        "total": totals.get("count", 0),
        "topics": {t: {k: v for k, v in b.items() if k != "topics"} for t, b in sorted(topics.items())},
    }
    if org_id:
        rows = []
        for principal_id, bucket in people.items():
            principal = stores.principals.get_principal(org_id, principal_id)
            rows.append({"principal_id": principal_id, "email": principal.email if principal else None, **bucket})
        out["principals"] = sorted(rows, key=lambda r: (-r["count"], r["email"] or "", r["principal_id"]))
    return out
