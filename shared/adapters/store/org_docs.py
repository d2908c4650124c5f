"""An org's document: its settings in plain text, its room delegate and service-account key sealed.

The credential's reference is kept except for a ``stored`` credential, whose key is the sealed
``serviceAccountKey`` field itself; fields an older document lacks read back as their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.domain.principals import CredentialRef, Org

if TYPE_CHECKING:
    from shared.adapters.store.records import RecordCodec


def org_to_doc(codec: RecordCodec, org: Org, service_account_key: str | None) -> dict[str, Any]:
    """Map an org; the service-account key (if any) is sealed."""
    doc: dict[str, Any] = {
        "domain": org.domain,
        "credentialKind": org.credential.kind,
        "credentialRef": org.credential.reference if org.credential.kind != "stored" else "",
        "clientId": org.credential.client_id,
        "keywords": dict(org.keywords),
        "joinLeadSeconds": int(org.join_lead.total_seconds()),
        "defaultLocale": org.default_locale,
        "kmsKey": org.kms_key,
        "provider": org.provider,
        "webexSite": org.webex_site,
        "sendUpdates": org.send_updates,
        "roomDelegate": (
            codec.seal(org.id, "orgs", org.id, "roomDelegate", org.room_delegate) if org.room_delegate else None
        ),
        "createdAt": org.created_at,
        "roomDisplayPresence": org.room_display_presence,
    }
    if service_account_key is not None:
        doc["serviceAccountKey"] = codec.seal(org.id, "orgs", org.id, "serviceAccountKey", service_account_key)
    return doc


def org_from_doc(codec: RecordCodec, org_id: str, data: Mapping[str, Any]) -> Org:
    """Map an org document back (the key stays sealed; see ``service_account_key``)."""
    delegate = data.get("roomDelegate")
    return Org(
        id=org_id,
        domain=data["domain"],
        credential=CredentialRef(data["credentialKind"], data.get("credentialRef") or "", data.get("clientId")),
        keywords=dict(data.get("keywords") or {}),
        join_lead=timedelta(seconds=int(data.get("joinLeadSeconds", 300))),
        default_locale=data.get("defaultLocale", "en"),
        kms_key=data.get("kmsKey"),
        provider=data.get("provider", "personal_room"),
        webex_site=data.get("webexSite", "example.webex.com"),
        send_updates=data.get("sendUpdates", "all"),
        room_delegate=codec.open(org_id, "orgs", org_id, "roomDelegate", delegate) if delegate else None,
        created_at=data.get("createdAt"),
        room_display_presence=bool(data.get("roomDisplayPresence", True)),
    )
