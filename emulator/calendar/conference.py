"""Conference data as Google handles it: ``conferenceDataVersion`` and Meet create requests.

- With ``conferenceDataVersion=0`` (the default) a write ignores ``conferenceData`` in its body;
  the stored conference stays as it was.
- With ``conferenceDataVersion=1`` the body's ``conferenceData`` is stored (copied conference
  details), ``null`` removes it, and a ``createRequest`` (``requestId``, a
  ``conferenceSolutionKey.type`` the calendar allows: ``hangoutsMeet``) asks for a new
  conference. The write's answer shows the request ``pending``; the conference is created right
  after, as a change of its own (new etag, push): ``status.statusCode`` ``success``, a Meet
  ``conferenceId``, ``conferenceSolution``, ``entryPoints`` (video, more, phone) and the
  event's ``hangoutLink``. Repeating a ``requestId`` the event already has changes nothing.
- A conferencing add-on's conference (``conferenceSolution.key.type`` ``addOn``) is only ever made
  by Calendar (``emulator.addon_conference``), which signs it: a write that gives one without
  Calendar's signature (a plain API client's, or one edited since) answers 400 ``invalid``
  "Invalid conference data"; one copied whole from an event is stored like any copied conference.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from emulator.errors import ApiError, invalid

ALLOWED_TYPES = ("hangoutsMeet",)
ADDON = "addOn"
_SIGNING_KEY = secrets.token_bytes(32)
MEET_ICON = (
    "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def version(raw: str | None) -> int:
    """Parse ``conferenceDataVersion`` (0 or 1), answering Google's 400 otherwise."""
    if raw is None or raw == "":
        return 0
    if raw not in ("0", "1"):
        raise invalid(f"Invalid value '{raw}'. Values must be between 0 and 1.", "conferenceDataVersion")
    return int(raw)


def signature(conference: dict[str, Any]) -> str:
    """Calendar's signature of an add-on conference (over everything but the signature itself)."""
    unsigned = {k: v for k, v in conference.items() if k != "signature"}
    text = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    mac = hmac.new(_SIGNING_KEY, text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _check_addon(given: dict[str, Any]) -> None:
    """Refuse an add-on conference Calendar did not make (no valid signature)."""
    key = (given.get("conferenceSolution") or {}).get("key") or {}
    if not isinstance(key, dict) or key.get("type") != ADDON:
        return
    signed = given.get("signature")
    if not isinstance(signed, str) or not hmac.compare_digest(signed, signature(given)):
        raise ApiError(400, "invalid", "Invalid conference data", location="conferenceData")


def apply(old: dict[str, Any], body: dict[str, Any], data: dict[str, Any], supported: int) -> bool:
    """Put the conference the write asks for into ``data`` (the event about to be stored);
    ``old`` is the event's data before the write (empty for a new event).

    Returns True when a new conference must be created (see :func:`complete`)."""
    if supported == 0 or "conferenceData" not in body:
        _restore(old, data)
        return False
    given = body["conferenceData"]
    if given is None:
        data.pop("conferenceData", None)
        data.pop("hangoutLink", None)
        return False
    request = given.get("createRequest")
    if not isinstance(request, dict):
        _check_addon(given)
        data["conferenceData"] = given
        video = [p for p in given.get("entryPoints") or [] if p.get("entryPointType") == "video"]
        if video and str(video[0].get("uri", "")).startswith("https://meet.google.com/"):
            data["hangoutLink"] = video[0]["uri"]
        else:
            data.pop("hangoutLink", None)
        return False
    solution = str((request.get("conferenceSolutionKey") or {}).get("type") or "")
    if solution not in ALLOWED_TYPES:
        raise ApiError(400, "invalid", "Invalid conference type value.", location="conferenceData")
    request_id = request.get("requestId")
    if not request_id:
        raise ApiError(400, "required", "Missing conference request id.", location="conferenceData.createRequest")
    previous = (old.get("conferenceData") or {}).get("createRequest") or {}
    if previous.get("requestId") == request_id:
        _restore(old, data)
        return False
    data.pop("hangoutLink", None)
    data["conferenceData"] = {
        "createRequest": {
            "requestId": str(request_id),
            "conferenceSolutionKey": {"type": solution},
            "status": {"statusCode": "pending"},
        }
    }
    return True


def _restore(old: dict[str, Any], data: dict[str, Any]) -> None:
    for key in ("conferenceData", "hangoutLink"):
        if key in old:
            data[key] = old[key]
        else:
            data.pop(key, None)


def meet_code(seed: str) -> str:
    """A Meet meeting code (``abc-defg-hij``) derived from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    letters = "".join(_LETTERS[b % 26] for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"


def complete(event_id: str, data: dict[str, Any]) -> None:
    """Finish a pending create request in ``data``: the Meet conference exists now."""
    conference = data["conferenceData"]
    request = conference["createRequest"]
    code = meet_code(f"{event_id}:{request['requestId']}")
    digits = str(int.from_bytes(hashlib.sha256(code.encode()).digest()[:6], "big"))[:9].rjust(9, "0")
    data["conferenceData"] = {
        "createRequest": {**request, "status": {"statusCode": "success"}},
        "entryPoints": [
            {"entryPointType": "video", "uri": f"https://meet.google.com/{code}", "label": f"meet.google.com/{code}"},
            {"entryPointType": "more", "uri": f"https://tel.meet/{code}?pin={digits}0000", "pin": f"{digits}0000"},
            {
                "entryPointType": "phone",
                "uri": f"tel:+1-555-0100;pin={digits}",
                "label": "+1 555-0100",
                "pin": digits,
                "regionCode": "US",
            },
        ],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet", "iconUri": MEET_ICON},
        "conferenceId": code,
    }
    data["hangoutLink"] = f"https://meet.google.com/{code}"


def pending(data: dict[str, Any]) -> bool:
    """Whether ``data`` holds a create request that has not completed yet."""
    request = (data.get("conferenceData") or {}).get("createRequest") or {}
    return (request.get("status") or {}).get("statusCode") == "pending"
