"""Conformance: every method the emulator serves, called through google-api-python-client over real
HTTP, with every answer (and every error) checked against the discovery documents."""

from __future__ import annotations

from typing import Any

import pytest
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from emulator.api import served_operations
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from tests.emulator import discovery_schema
from tests.emulator.conftest import ANN, BOB, CAL, CAROL, GMAIL, ROOM, Receiver, timed

Live = tuple[EmulatorServer, ControlClient, dict[str, Any]]


class Recorder:
    """Collects the method ids called through the client and what their answers got wrong."""

    def __init__(self) -> None:
        self.called: set[str] = set()
        self.problems: list[str] = []
        recorder = self

        class Checked(HttpRequest):  # type: ignore[misc]
            def execute(self, http: Any = None, num_retries: int = 0) -> Any:
                recorder.called.add(self.methodId)
                try:
                    answer = super().execute(http=http, num_retries=num_retries)
                except HttpError as exc:
                    found = discovery_schema.error_problems(exc.resp.status, _json(exc.content))
                    recorder.problems += [f"{self.methodId} error: {p}" for p in found]
                    raise
                found = discovery_schema.answer_problems(self.methodId, answer)
                recorder.problems += [f"{self.methodId}: {p}" for p in found]
                return answer

        self.request_class = Checked

    def client(self, api: str, url: str, key: dict[str, Any], subject: str) -> Any:
        """A Calendar or Gmail client for ``subject`` whose every answer is checked."""
        scopes = [CAL] if api == "calendar" else [GMAIL]
        creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            key, scopes=scopes
        ).with_subject(subject)
        endpoint = f"{url}/calendar/v3/" if api == "calendar" else f"{url}/"
        return build(
            api,
            "v3" if api == "calendar" else "v1",
            credentials=creds,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": endpoint},
            requestBuilder=self.request_class,
        )


def _json(content: bytes) -> Any:
    import json

    return json.loads(content or b"null")


def _status(exc: pytest.ExceptionInfo[HttpError]) -> tuple[int, str]:
    return exc.value.resp.status, str(exc.value.error_details[0]["reason"])


def _events(svc: Any, bob: Any, receiver: Receiver) -> None:
    events = svc.events()
    channel = events.watch(
        calendarId="primary", body={"id": "conf-1", "type": "web_hook", "address": receiver.url}
    ).execute()
    body = timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", summary="Weekly", attendees=[{"email": BOB}])
    body["recurrence"] = ["RRULE:FREQ=WEEKLY;COUNT=4"]
    body["conferenceData"] = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    series = events.insert(calendarId="primary", body=body, conferenceDataVersion=1, sendUpdates="all").execute()
    got = events.get(calendarId="primary", eventId=series["id"]).execute()
    assert got["conferenceData"]["createRequest"]["status"]["statusCode"] == "success"
    assert len(events.instances(calendarId="primary", eventId=series["id"]).execute()["items"]) == 4
    page = events.list(calendarId="primary", singleEvents=True, orderBy="startTime", maxResults=2).execute()
    assert len(page["items"]) == 2 and "nextPageToken" in page
    synced = events.list(calendarId="primary").execute()
    events.patch(calendarId="primary", eventId=series["id"], body={"location": "@webex"}).execute()
    changed = events.list(calendarId="primary", syncToken=synced["nextSyncToken"]).execute()
    assert [e["id"] for e in changed["items"]] == [series["id"]]
    instance = f"{series['id']}_20240513T070000Z"
    events.patch(calendarId="primary", eventId=instance, body={"summary": "Moved"}).execute()
    bob.events().patch(
        calendarId="primary", eventId=series["id"], body={"attendees": [{"email": BOB, "responseStatus": "accepted"}]}
    ).execute()
    single = events.insert(calendarId="primary", body=timed("2024-05-07T09:00:00", "2024-05-07T10:00:00")).execute()
    events.update(
        calendarId="primary",
        eventId=single["id"],
        body=timed("2024-05-07T11:00:00", "2024-05-07T12:00:00", summary="Replaced"),
    ).execute()
    events.quickAdd(calendarId="primary", text="Lunch 2024-05-08 12:00-13:00 at Cafe").execute()
    for status_body in (
        {
            **timed("2024-05-09T00:00:00", "2024-05-10T00:00:00"),
            "eventType": "outOfOffice",
            "outOfOfficeProperties": {"autoDeclineMode": "declineNone"},
        },
        {
            **timed("2024-05-06T14:00:00", "2024-05-06T15:00:00"),
            "eventType": "focusTime",
            "focusTimeProperties": {"chatStatus": "doNotDisturb"},
        },
        {
            "start": {"date": "2024-05-06"},
            "end": {"date": "2024-05-07"},
            "eventType": "workingLocation",
            "visibility": "public",
            "transparency": "transparent",
            "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
        },
    ):
        events.insert(calendarId="primary", body=status_body).execute()
    status = events.list(calendarId="primary", eventTypes=["outOfOffice", "focusTime", "workingLocation"]).execute()
    assert len(status["items"]) == 3
    imported = events.import_(
        calendarId="primary",
        body={**timed("2024-05-10T09:00:00", "2024-05-10T10:00:00"), "iCalUID": "x-1@vendor.example"},
    ).execute()
    with pytest.raises(HttpError) as err:
        events.get(calendarId="primary", eventId="nosuchevent1").execute()
    assert _status(err) == (404, "notFound")
    with pytest.raises(HttpError) as err:
        events.insert(
            calendarId="primary", body={**timed("2024-05-06T09:00:00", "2024-05-06T10:00:00"), "summary": 5}
        ).execute()
    assert _status(err) == (400, "invalid")
    events.delete(calendarId="primary", eventId=imported["id"]).execute()
    svc.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()


def _calendars(svc: Any) -> None:
    made = svc.calendars().insert(body={"summary": "Projects", "timeZone": "Europe/Berlin"}).execute()
    cal_id = made["id"]
    svc.calendars().get(calendarId=cal_id).execute()
    svc.calendars().patch(calendarId=cal_id, body={"description": "All projects"}).execute()
    svc.calendars().update(calendarId=cal_id, body={"summary": "Projects 2024"}).execute()
    event = (
        svc.events().insert(calendarId="primary", body=timed("2024-05-08T09:00:00", "2024-05-08T10:00:00")).execute()
    )
    moved = svc.events().move(calendarId="primary", eventId=event["id"], destination=cal_id).execute()
    assert moved["organizer"]["email"] == cal_id
    lists = svc.calendarList()
    assert {e["id"] for e in lists.list().execute()["items"]} >= {ANN, cal_id}
    lists.insert(body={"id": ROOM, "colorId": "9"}).execute()
    lists.get(calendarId=ROOM).execute()
    lists.patch(calendarId=ROOM, body={"summaryOverride": "Room one"}).execute()
    lists.update(calendarId=ROOM, body={"colorId": "2", "hidden": True}).execute()
    lists.delete(calendarId=ROOM).execute()
    svc.colors().get().execute()
    svc.calendars().delete(calendarId=cal_id).execute()
    with pytest.raises(HttpError) as err:
        svc.calendars().delete(calendarId="primary").execute()
    assert _status(err) == (403, "cannotDeletePrimaryCalendar")


def _acl_settings_freebusy(svc: Any, receiver: Receiver) -> None:
    hook = {"type": "web_hook", "address": receiver.url}
    watches = [
        svc.acl().watch(calendarId="primary", body={**hook, "id": "acl-1"}).execute(),
        svc.calendarList().watch(body={**hook, "id": "list-1"}).execute(),
        svc.settings().watch(body={**hook, "id": "settings-1"}).execute(),
    ]
    acl = svc.acl()
    rule = acl.insert(
        calendarId="primary", body={"role": "reader", "scope": {"type": "user", "value": CAROL}}
    ).execute()
    acl.get(calendarId="primary", ruleId=rule["id"]).execute()
    acl.patch(calendarId="primary", ruleId=rule["id"], body={"role": "writer"}).execute()
    acl.update(
        calendarId="primary", ruleId=rule["id"], body={"role": "freeBusyReader", "scope": rule["scope"]}
    ).execute()
    assert len(acl.list(calendarId="primary").execute()["items"]) == 2
    acl.delete(calendarId="primary", ruleId=rule["id"]).execute()
    svc.settings().get(setting="timezone").execute()
    svc.settings().list().execute()
    busy = (
        svc.freebusy()
        .query(
            body={
                "timeMin": "2024-05-06T00:00:00Z",
                "timeMax": "2024-05-11T00:00:00Z",
                "items": [{"id": "primary"}, {"id": "ghost@nowhere.example"}],
            }
        )
        .execute()
    )
    assert busy["calendars"]["primary"]["busy"]
    svc.calendars().clear(calendarId="primary").execute()
    for channel in watches:
        svc.channels().stop(body={"id": channel["id"], "resourceId": channel["resourceId"]}).execute()


def _gmail(mail: Any) -> None:
    settings = mail.users().settings()
    settings.getVacation(userId="me").execute()
    settings.updateVacation(
        userId="me", body={"enableAutoReply": True, "responseSubject": "Away", "startTime": "1715000000000"}
    ).execute()


def test_every_served_method_through_the_client(live: Live, receiver: Receiver) -> None:
    """The real client calls each served method; every answer and error conforms to the discovery schema."""
    server, _control, key = live
    recorder = Recorder()
    svc = recorder.client("calendar", server.url, key, ANN)
    bob = recorder.client("calendar", server.url, key, BOB)
    _events(svc, bob, receiver)
    _calendars(svc)
    _acl_settings_freebusy(svc, receiver)
    _gmail(recorder.client("gmail", server.url, key, ANN))
    assert recorder.problems == []
    served = served_operations(server.app)
    assert served <= set(discovery_schema.methods())
    assert served - recorder.called == set()
    assert server.state.wait_for_push_idle(5)


@pytest.mark.parametrize(
    ("method", "answer", "expected"),
    [
        ("calendar.events.get", {"kind": "calendar#event", "colour": "red"}, "$.colour: not a field of the schema"),
        ("calendar.events.get", {"sequence": "1"}, "$.sequence: expected an integer (int32), got '1'"),
        ("calendar.events.get", {"updated": "yesterday"}, "$.updated: not an RFC 3339 date-time: 'yesterday'"),
        ("calendar.events.get", {"start": {"date": "2024-5-6"}}, "$.start.date: not a date: '2024-5-6'"),
        (
            "calendar.events.get",
            {"status": "maybe"},
            "$.status: 'maybe' is not one of ['confirmed', 'tentative', 'cancelled']",
        ),
        (
            "calendar.events.watch",
            {"expiration": 1700000000000},
            "$.expiration: expected a string, got 1700000000000",
        ),
        (
            "calendar.events.watch",
            {"expiration": "soon"},
            "$.expiration: not a 64-bit number written as a string: 'soon'",
        ),
        ("calendar.events.list", {"items": {}}, "$.items: expected an array, got {}"),
        (
            "gmail.users.settings.getVacation",
            {"enableAutoReply": "yes"},
            "$.enableAutoReply: expected a boolean, got 'yes'",
        ),
    ],
)
def test_validator_catches_what_google_would_not_send(method: str, answer: Any, expected: str) -> None:
    """The schema validator reports unknown fields, wrong types, formats and enum values."""
    assert expected in discovery_schema.answer_problems(method, answer)


def test_validator_checks_error_envelopes() -> None:
    """Error bodies need code, message, errors[] and a google.rpc.Code status."""
    good = {
        "error": {
            "code": 404,
            "message": "Not Found",
            "status": "NOT_FOUND",
            "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}],
        }
    }
    assert discovery_schema.error_problems(404, good) == []
    bad = {"error": {"code": 405, "message": "x", "status": "METHOD_NOT_ALLOWED", "errors": [{"reason": "x"}]}}
    found = discovery_schema.error_problems(405, bad)
    assert any("google.rpc.Code" in p for p in found) and any("domain/reason/message" in p for p in found)
