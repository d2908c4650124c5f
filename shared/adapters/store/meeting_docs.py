"""A meeting's document: plaintext ids, times and states; everything else sealed in one ``payload``.

The payload (title, time zone, organiser, location, agenda, keyword, attendees, join targets,
the conference and the working location) is sealed to the calendar's principal; the attendees'
addresses are also kept as blind indexes. The document id is a hash of the calendar and the
event instance.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.domain.meetings import Attendee, JoinKind, JoinTarget, Meeting, MeetingStatus, ResponseStatus

if TYPE_CHECKING:
    from shared.adapters.store.records import RecordCodec


def meeting_doc_id(principal_id: str, event_id: str) -> str:
    """The document id of one calendar's copy of one event instance."""
    return hashlib.blake2b(f"{principal_id}|{event_id}".encode(), digest_size=20).hexdigest()


def meeting_to_doc(codec: RecordCodec, m: Meeting) -> tuple[str, dict[str, Any]]:
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
    sealed = codec.seal(
        m.org_id,
        "meetings",
        doc_id,
        "payload",
        json.dumps(payload, separators=(",", ":")),
        principal_id=m.principal_id,
    )
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
        "attendeeIndex": sorted({codec.cipher.blind_index(m.org_id, a.email, "attendee") for a in m.attendees}),
        "etag": m.etag,
        "updated": m.updated,
        "rewriteState": m.rewrite_state,
        "eventType": m.event_type,
        "expireAt": m.expire_at,
        "payload": sealed,
    }


def meeting_from_doc(codec: RecordCodec, org_id: str, doc_id: str, data: Mapping[str, Any]) -> Meeting:
    """Map a meeting document back, opening its payload."""
    principal_id = data["principal_id"]
    payload = json.loads(codec.open(org_id, "meetings", doc_id, "payload", data["payload"], principal_id))
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
