"""Conformance through google-api-python-client and google-auth over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from emulator import testing
from emulator.client import ControlClient
from emulator.server import EmulatorServer
from tests.emulator.conftest import ANN, BOB, CAL, GMAIL, ROOM, Receiver, timed

Live = tuple[EmulatorServer, ControlClient, dict[str, Any]]


def calendar(url: str, key: dict[str, Any], subject: str, scopes: list[str] | None = None) -> Any:
    """Build a Calendar v3 client against the emulator, as the service will."""
    return testing.google_service(url, key, subject, scopes or [CAL])


def gmail(url: str, key: dict[str, Any], subject: str) -> Any:
    """Build a Gmail v1 client against the emulator."""
    return testing.google_service(url, key, subject, [GMAIL], api=("gmail", "v1", ""))


def reason(exc: HttpError) -> str:
    """Return Google's error reason from an HttpError."""
    return str(exc.error_details[0]["reason"]) if exc.error_details else ""


def test_event_lifecycle_through_client(live: Live) -> None:
    """insert, get, list, patch (If-Match), instances, delete all work through the real client."""
    server, control, key = live
    svc = calendar(server.url, key, ANN)
    body = timed(
        "2024-03-04T09:00:00",
        "2024-03-04T09:30:00",
        summary="Standup",
        recurrence=["RRULE:FREQ=DAILY;COUNT=5"],
        attendees=[{"email": BOB}],
    )
    event = svc.events().insert(calendarId="primary", body=body, sendUpdates="all", conferenceDataVersion=1).execute()
    got = svc.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert got["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=5"]
    listed = svc.events().list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()
    assert len(listed["items"]) == 5
    assert listed["items"][0]["id"] == f"{event['id']}_20240304T080000Z"
    instances = svc.events().instances(calendarId="primary", eventId=event["id"]).execute()
    assert [i["start"]["dateTime"] for i in instances["items"]][:2] == [
        "2024-03-04T09:00:00+01:00",
        "2024-03-05T09:00:00+01:00",
    ]
    request = svc.events().patch(calendarId="primary", eventId=event["id"], body={"location": "@webex"})
    request.headers["If-Match"] = got["etag"]
    patched = request.execute()
    assert patched["location"] == "@webex"
    stale = svc.events().patch(calendarId="primary", eventId=event["id"], body={"summary": "x"})
    stale.headers["If-Match"] = got["etag"]
    with pytest.raises(HttpError) as err:
        stale.execute()
    assert err.value.resp.status == 412
    svc.events().delete(calendarId="primary", eventId=event["id"]).execute()
    with pytest.raises(HttpError) as err:
        svc.events().get(calendarId="primary", eventId="doesnotexist1").execute()
    assert err.value.resp.status == 404
    assert reason(err.value) == "notFound"
    assert control.count("calendar.events.patch", 412) == 1


def test_quickadd_settings_acl_freebusy_calendarlist(live: Live) -> None:
    """quickAdd, settings.get, acl insert/list/delete, freebusy.query, calendarList.get/insert."""
    server, control, key = live
    control.set_clock(time="2024-03-04T08:00:00Z")
    svc = calendar(server.url, key, ANN)
    quick = (
        svc.events().quickAdd(calendarId="primary", text="Lunch with Bob tomorrow 12:30-13:30 at Cafe Rot").execute()
    )
    assert quick["summary"] == "Lunch with Bob"
    assert quick["location"] == "Cafe Rot"
    assert quick["start"] == {"dateTime": "2024-03-05T12:30:00+01:00", "timeZone": "Europe/Berlin"}
    assert svc.settings().get(setting="locale").execute()["value"] == "de"
    assert svc.settings().get(setting="timezone").execute()["value"] == "Europe/Berlin"
    rule = (
        svc.acl()
        .insert(calendarId="primary", body={"role": "reader", "scope": {"type": "user", "value": BOB}})
        .execute()
    )
    assert len(svc.acl().list(calendarId="primary").execute()["items"]) == 2
    svc.acl().delete(calendarId="primary", ruleId=rule["id"]).execute()
    busy = (
        svc.freebusy()
        .query(
            body={
                "timeMin": "2024-03-05T00:00:00Z",
                "timeMax": "2024-03-06T00:00:00Z",
                "items": [{"id": "primary"}, {"id": ROOM}],
            }
        )
        .execute()
    )
    assert busy["calendars"]["primary"]["busy"] == [{"start": "2024-03-05T11:30:00Z", "end": "2024-03-05T12:30:00Z"}]
    assert busy["calendars"][ROOM]["busy"] == []
    entry = svc.calendarList().get(calendarId="primary").execute()
    assert entry["primary"] is True
    assert entry["accessRole"] == "owner"
    with pytest.raises(HttpError) as missing:
        svc.calendarList().get(calendarId=ROOM).execute()
    assert missing.value.resp.status == 404
    svc.calendarList().insert(body={"id": ROOM}).execute()
    assert svc.calendarList().get(calendarId=ROOM).execute()["accessRole"] == "reader"


def test_watch_and_stop_through_client(live: Live, receiver: Receiver) -> None:
    """events.watch returns an api#channel and pushes arrive; channels.stop ends them."""
    server, _control, key = live
    svc = calendar(server.url, key, ANN)
    channel = (
        svc.events()
        .watch(
            calendarId="primary",
            body={
                "id": "chan-1",
                "type": "web_hook",
                "address": receiver.url,
                "token": "secret",
                "params": {"ttl": "3600"},
            },
        )
        .execute()
    )
    assert channel["kind"] == "api#channel"
    assert channel["resourceUri"].endswith(f"/calendar/v3/calendars/{ANN.replace('@', '%40')}/events?alt=json")
    svc.events().insert(calendarId="primary", body=timed("2024-03-04T09:00:00", "2024-03-04T10:00:00")).execute()
    assert server.state.wait_for_push_idle(5)
    states = [m["headers"]["x-goog-resource-state"] for m in receiver.messages()]
    assert states == ["sync", "exists"]
    svc.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    svc.events().insert(calendarId="primary", body=timed("2024-03-05T09:00:00", "2024-03-05T10:00:00")).execute()
    assert server.state.wait_for_push_idle(5)
    assert len(receiver.messages()) == 2
    with pytest.raises(HttpError) as err:
        svc.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    assert err.value.resp.status == 404


def test_gmail_vacation_through_client(live: Live) -> None:
    """getVacation / updateVacation round-trip through the Gmail client."""
    server, control, key = live
    svc = gmail(server.url, key, ANN)
    assert svc.users().settings().getVacation(userId="me").execute()["enableAutoReply"] is False
    body = {
        "enableAutoReply": True,
        "responseSubject": "OOO",
        "startTime": "1709510400000",
        "endTime": "1709856000000",
        "restrictToDomain": False,
        "restrictToContacts": True,
        "responseBodyPlainText": "Away",
        "responseBodyHtml": "<b>Away</b>",
    }
    assert svc.users().settings().updateVacation(userId="me", body=body).execute() == body
    assert control.get_vacation(ANN) == body


def test_token_errors_like_google(live: Live) -> None:
    """Unauthorised scopes, unknown subjects and revoked delegation fail the refresh."""
    server, control, key = live
    with pytest.raises(RefreshError) as err:
        calendar(server.url, key, ANN, ["https://mail.google.com/"]).settings().get(setting="locale").execute()
    assert "unauthorized_client" in str(err.value)
    with pytest.raises(RefreshError) as err:
        calendar(server.url, key, "ghost@example.com").settings().get(setting="locale").execute()
    assert "invalid_grant" in str(err.value)
    with pytest.raises(RefreshError) as err:
        calendar(server.url, key, ROOM).settings().get(setting="locale").execute()
    assert "invalid_grant" in str(err.value)
    control.set_service_account_scopes("example.com", key["client_id"], [GMAIL])
    with pytest.raises(RefreshError) as err:
        calendar(server.url, key, ANN).settings().get(setting="locale").execute()
    assert "unauthorized_client" in str(err.value)
    assert control.count("oauth2.token", 401) == 2


def test_expired_token_is_refreshed_by_client(live: Live) -> None:
    """After the emulator clock passes token expiry, the client gets 401 and refreshes once."""
    server, control, key = live
    svc = calendar(server.url, key, ANN)
    svc.settings().get(setting="locale").execute()
    control.set_clock(advance_seconds=7200)
    assert svc.settings().get(setting="locale").execute()["value"] == "de"
    assert control.count("calendar.settings.get", 401) == 1
    assert control.count("oauth2.token", 200) == 2
