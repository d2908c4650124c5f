"""The Calendar add-on's side, for tests: its request to the service and what Calendar stores from the answer.

``ask`` posts what the add-on posts (``addon/Conference.gs``: the request id is the SHA-256 of
solution, calendar id and event id); ``calendar_conference`` turns the service's answer into the
conference Calendar stores once the add-on returned it (``ConferenceDataService`` output: entry
point types and code fields in Calendar's spelling), which the emulator's control route attaches.
"""

from __future__ import annotations

import hashlib
from typing import Any

from werkzeug.test import Client, TestResponse

ADDON_CLIENT = "1234567890-addon.apps.googleusercontent.com"
NAMES = {"webex_personal_room": "Webex personal room", "webex_space": "Webex meeting space"}
_CODES = {
    "pin": "pin",
    "passcode": "passcode",
    "password": "password",
    "access_code": "accessCode",
    "meeting_code": "meetingCode",
    "region_code": "regionCode",
}


def request_id(solution: str, calendar_id: str, event_id: str) -> str:
    """The add-on's request id for one event and solution."""
    return "addon-" + hashlib.sha256("\n".join((solution, calendar_id, event_id)).encode()).hexdigest()


def body(calendar_id: str, event_id: str, solution: str = "webex_personal_room", **changes: Any) -> dict[str, Any]:
    """The add-on's request body."""
    out = {
        "calendar_id": calendar_id,
        "event_id": event_id,
        "solution": solution,
        "request_id": request_id(solution, calendar_id, event_id),
    }
    out.update(changes)
    return out


def ask(client: Client, token: str | None, payload: Any) -> TestResponse:
    """``POST /v1/conferences`` as the add-on sends it."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"} if token else {}
    return client.post("/v1/conferences", json=payload, headers=headers)


def calendar_conference(answer: dict[str, Any]) -> dict[str, Any]:
    """What Calendar stores from the add-on's ConferenceData for the service's answer."""
    points = []
    for raw in answer["entry_points"]:
        point: dict[str, Any] = {"entryPointType": raw["type"], "uri": raw["uri"]}
        for ours, theirs in _CODES.items():
            if raw.get(ours):
                point[theirs] = raw[ours]
        if raw.get("features"):
            point["entryPointFeatures"] = list(raw["features"])
        points.append(point)
    return {
        "conferenceId": answer["conference_id"],
        "name": NAMES[answer["solution"]],
        "entryPoints": points,
        "notes": answer["notes"],
        "parameters": dict(answer["parameters"]),
    }


def from_apps_script(data: dict[str, Any]) -> dict[str, Any]:
    """What Calendar stores from the add-on's own ConferenceData (the Node harness's JSON view of it)."""
    points = []
    for raw in data["entryPoints"]:
        point = {k: v for k, v in raw.items() if k not in ("entryPointType", "features")}
        point["entryPointType"] = raw["entryPointType"].lower()
        if raw.get("features"):
            point["entryPointFeatures"] = [f.lower() for f in raw["features"]]
        points.append(point)
    return {
        "conferenceId": data["conferenceId"],
        "name": NAMES[data["conferenceSolutionId"]],
        "entryPoints": points,
        "notes": data.get("notes"),
        "parameters": dict(data.get("parameters") or {}),
    }
