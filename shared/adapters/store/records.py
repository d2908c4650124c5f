"""Encrypted record mapping: domain values to store documents and back.

Sensitive values are sealed with the Cipher under associated data naming their org,
collection, document and field; only ids, blind indexes, times, states and ``expireAt`` stay
in plaintext. Meetings seal their sensitive fields together in one ``payload``; an org's document
is mapped in ``org_docs``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson

from shared.adapters.crypto.envelope import field_aad
from shared.adapters.store import org_docs
from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting, MeetingStatus, ResponseStatus
from shared.domain.presence import Presence, PresenceSource, PresenceStatus
from shared.domain.principals import ErrorReason, Org, Principal, PrincipalKind, PrincipalState
from shared.domain.sync import ChannelState, SyncState, WatchChannel
from shared.ports import Cipher


def meeting_doc_id(principal_id: str, event_id: str) -> str:
    """The document id of one calendar's copy of one event instance."""
    return hashlib.blake2b(f"{principal_id}|{event_id}".encode(), digest_size=20).hexdigest()


class RecordCodec:
    """Seals and opens the sensitive fields of every record kind."""

    def __init__(self, cipher: Cipher) -> None:
        self.cipher = cipher

    def seal(self, org_id: str, coll: str, doc_id: str, field: str, value: str, principal_id: str | None = None) -> str:
        """Encrypt one string field in place."""
        return self.cipher.encrypt(
            org_id, value.encode(), field_aad(org_id, coll, doc_id, field), principal_id=principal_id
        )

    def open(self, org_id: str, coll: str, doc_id: str, field: str, token: str, principal_id: str | None = None) -> str:
        """Decrypt one string field sealed by ``seal``."""
        return self.cipher.decrypt(
            org_id, token, field_aad(org_id, coll, doc_id, field), principal_id=principal_id
        ).decode()

    # ------------------------------------------------------------ orgs (``org_docs``)

    def org_to_doc(self, org: Org, service_account_key: str | None) -> dict[str, Any]:
        """Map an org; the service-account key (if any) is sealed."""
        return org_docs.org_to_doc(self, org, service_account_key)

    def org_from_doc(self, org_id: str, data: Mapping[str, Any]) -> Org:
        """Map an org document back (the key stays sealed; see ``service_account_key``)."""
        return org_docs.org_from_doc(self, org_id, data)

    # ------------------------------------------------------------ principals

    def principal_to_doc(self, p: Principal, email_index: str) -> dict[str, Any]:
        """Map a principal; the email is sealed and indexed blind."""
        return {
            "email": self.seal(p.org_id, "principals", p.id, "email", p.email),
            "emailIndex": email_index,
            "kind": p.kind.value,
            "state": p.state.value,
            "reason": p.reason.value if p.reason else None,
            "detail": self.seal(p.org_id, "principals", p.id, "detail", p.detail) if p.detail else None,
            "presenceEnabled": p.presence_enabled,
            "locale": p.locale,
            "timeZone": p.time_zone,
            "name": self.seal(p.org_id, "principals", p.id, "name", p.name) if p.name else None,
            "joinLeadSeconds": int(p.join_lead_override.total_seconds()) if p.join_lead_override else None,
            "attempts": p.attempts,
            "lastSync": p.last_sync,
            "channelExpiry": p.channel_expiry,
            "updatedAt": p.updated_at,
            "deactivatedAt": p.deactivated_at,
            "deactivatedBy": (
                self.seal(p.org_id, "principals", p.id, "deactivatedBy", p.deactivated_by) if p.deactivated_by else None
            ),
        }

    def principal_from_doc(self, org_id: str, pid: str, data: Mapping[str, Any]) -> Principal:
        """Map a principal document back, opening the email."""
        lead = data.get("joinLeadSeconds")
        detail, by = data.get("detail"), data.get("deactivatedBy")
        return Principal(
            org_id=org_id,
            id=pid,
            email=self.open(org_id, "principals", pid, "email", data["email"]),
            kind=PrincipalKind(data["kind"]),
            state=PrincipalState(data["state"]),
            reason=ErrorReason(data["reason"]) if data.get("reason") else None,
            detail=self.open(org_id, "principals", pid, "detail", detail) if detail else None,
            presence_enabled=bool(data.get("presenceEnabled", True)),
            locale=data.get("locale"),
            time_zone=data.get("timeZone"),
            name=self.open(org_id, "principals", pid, "name", data["name"]) if data.get("name") else None,
            join_lead_override=timedelta(seconds=int(lead)) if lead is not None else None,
            attempts=int(data.get("attempts", 0)),
            last_sync=data.get("lastSync"),
            channel_expiry=data.get("channelExpiry"),
            updated_at=data.get("updatedAt"),
            deactivated_at=data.get("deactivatedAt"),
            deactivated_by=self.open(org_id, "principals", pid, "deactivatedBy", by) if by else None,
        )

    # ------------------------------------------------------------ meetings

    def meeting_to_doc(self, m: Meeting) -> tuple[str, dict[str, Any]]:
        """Map a meeting: plaintext ids, times and states; everything else sealed in ``payload``."""
        doc_id = meeting_doc_id(m.principal_id, m.event_id)
        payload = {
            "title": m.title,
            "tz": m.time_zone,
            "organizer": m.organizer,
            "location": m.location,
            "agenda": m.agenda,
            "keyword": m.keyword,
            "ical": m.ical_uid,
            "vis": m.visibility,
            "attendees": [
                [a.email, a.response_status.value, a.is_room, a.is_organizer, a.optional, a.display_name]
                for a in m.attendees
            ],
            "targets": [[t.kind.value, t.uri, t.label] for t in m.join_targets],
            "conf": [m.conference_ref, m.conference_state],
            "wl": m.working_location,
        }
        text = orjson.dumps(payload).decode()
        sealed = self.seal(m.org_id, "meetings", doc_id, "payload", text, principal_id=m.principal_id)
        return doc_id, {
            "principal_id": m.principal_id,
            "event_id": m.event_id,
            "series_id": m.series_id,
            "start": m.start,
            "end": m.end,
            "allDay": m.all_day,
            "status": m.status.value,
            "organizerCopy": m.is_organizer_copy,
            "hasJoinTarget": bool(m.join_targets),
            "attendeeIndex": sorted({self.cipher.blind_index(m.org_id, a.email, "attendee") for a in m.attendees}),
            "etag": m.etag,
            "updated": m.updated,
            "rewriteState": m.rewrite_state,
            "eventType": m.event_type,
            "expireAt": m.expire_at,
            "payload": sealed,
        }

    def meeting_from_doc(self, org_id: str, doc_id: str, data: Mapping[str, Any]) -> Meeting:
        """Map a meeting document back, opening its payload."""
        principal_id = data["principal_id"]
        payload = orjson.loads(self.open(org_id, "meetings", doc_id, "payload", data["payload"], principal_id))
        return Meeting(
            org_id=org_id,
            principal_id=principal_id,
            event_id=data["event_id"],
            start=data["start"],
            end=data["end"],
            title=payload["title"],
            time_zone=payload["tz"],
            all_day=bool(data["allDay"]),
            status=MeetingStatus(data["status"]),
            organizer=payload["organizer"],
            attendees=tuple(
                Attendee(
                    email=a[0],
                    response_status=ResponseStatus(a[1]),
                    is_room=a[2],
                    is_organizer=a[3],
                    optional=a[4],
                    display_name=a[5],
                )
                for a in payload["attendees"]
            ),
            location=payload["location"],
            agenda=payload["agenda"],
            join_targets=tuple(JoinTarget(JoinKind(t[0]), t[1], t[2]) for t in payload["targets"]),
            series_id=data.get("series_id"),
            ical_uid=payload.get("ical"),
            etag=data.get("etag"),
            updated=data.get("updated"),
            is_organizer_copy=bool(data.get("organizerCopy")),
            keyword=payload.get("keyword"),
            rewrite_state=data.get("rewriteState"),
            conference_ref=(payload.get("conf") or [None, None])[0],
            conference_state=(payload.get("conf") or [None, None])[1],
            event_type=data.get("eventType", "default"),
            visibility=payload.get("vis", "default"),
            working_location=payload.get("wl", ""),
        )

    # ------------------------------------------------------------ sync state, channels, presence

    def sync_to_doc(self, s: SyncState) -> dict[str, Any]:
        """Map sync state; the sync token is sealed to the principal."""
        token = (
            self.seal(s.org_id, "syncStates", s.principal_id, "syncToken", s.sync_token, s.principal_id)
            if s.sync_token
            else None
        )
        return {
            "syncToken": token,
            "leaseOwner": s.lease_owner,
            "leaseUntil": s.lease_until,
            "pending": s.pending,
            "pendingSince": s.pending_since,
            "lastSync": s.last_sync,
            "lastFullSync": s.last_full_sync,
            "windowEnd": s.window_end,
            "resync": s.resync,
        }

    def sync_from_doc(self, org_id: str, pid: str, data: Mapping[str, Any]) -> SyncState:
        """Map sync state back, opening the token."""
        token = data.get("syncToken")
        return SyncState(
            org_id=org_id,
            principal_id=pid,
            sync_token=self.open(org_id, "syncStates", pid, "syncToken", token, pid) if token else None,
            lease_owner=data.get("leaseOwner"),
            lease_until=data.get("leaseUntil"),
            pending=bool(data.get("pending")),
            pending_since=data.get("pendingSince"),
            last_sync=data.get("lastSync"),
            last_full_sync=data.get("lastFullSync"),
            window_end=data.get("windowEnd"),
            resync=bool(data.get("resync")),
        )

    @staticmethod
    def channel_to_doc(c: WatchChannel) -> dict[str, Any]:
        """Map a channel (ids, a token hash and times only)."""
        return {
            "org_id": c.org_id,
            "principal_id": c.principal_id,
            "resourceId": c.resource_id,
            "tokenHash": c.token_hash,
            "expiration": c.expiration,
            "state": c.state.value,
            "createdAt": c.created_at,
            "stopRequestedAt": c.stop_requested_at,
        }

    @staticmethod
    def channel_from_doc(channel_id: str, data: Mapping[str, Any]) -> WatchChannel:
        """Map a channel document back."""
        return WatchChannel(
            id=channel_id,
            org_id=data["org_id"],
            principal_id=data["principal_id"],
            resource_id=data["resourceId"],
            token_hash=data["tokenHash"],
            expiration=data["expiration"],
            state=ChannelState(data["state"]),
            created_at=data.get("createdAt"),
            stop_requested_at=data.get("stopRequestedAt"),
        )

    def presence_to_doc(self, p: Presence) -> dict[str, Any]:
        """Map presence; the message is sealed to the principal."""
        return {
            "status": p.status.value,
            "since": p.since,
            "until": p.until,
            "source": p.source.value,
            "message": self.seal(p.org_id, "presence", p.principal_id, "message", p.message, p.principal_id),
            "location": self.seal(p.org_id, "presence", p.principal_id, "location", p.working_location, p.principal_id)
            if p.working_location
            else "",
        }

    def presence_from_doc(self, org_id: str, pid: str, data: Mapping[str, Any]) -> Presence:
        """Map presence back, opening the message."""
        return Presence(
            org_id=org_id,
            principal_id=pid,
            status=PresenceStatus(data["status"]),
            message=self.open(org_id, "presence", pid, "message", data["message"], pid),
            since=data.get("since"),
            until=data.get("until"),
            source=PresenceSource(data["source"]),
            working_location=self.open(org_id, "presence", pid, "location", data["location"], pid)
            if data.get("location")
            else "",
        )


def as_datetime(value: Any) -> datetime | None:
    """Pass through a datetime (stores hand back aware datetimes)."""
    return value if isinstance(value, datetime) else None
