"""Calendar v3 over plain httpx against the in-process emulator."""

from __future__ import annotations

from tests.emulator.conftest import ANN, BOB, CAL_RO, CAROL, GMAIL, OUTSIDER, ROOM, Api, timed

EVENTS = "/calendar/v3/calendars/{}/events"


def test_insert_get_roundtrip_keeps_fields(api: Api) -> None:
    """An inserted event comes back with Google's metadata and the caller's fields."""
    event = api.insert(
        timed(
            "2024-05-06T10:00:00",
            "2024-05-06T11:00:00",
            summary="Plan",
            location="@webex",
            description="Agenda",
            extendedProperties={"private": {"k": "v"}, "shared": {"s": "1"}},
        )
    )
    assert event["kind"] == "calendar#event"
    assert event["etag"].startswith('"')
    assert event["iCalUID"] == f"{event['id']}@google.com"
    assert event["organizer"] == {"email": ANN, "displayName": "Ann", "self": True}
    got = api.call("GET", EVENTS.format(ANN) + f"/{event['id']}").json()
    assert got == event
    assert got["extendedProperties"] == {"private": {"k": "v"}, "shared": {"s": "1"}}


def test_patch_if_match_stale_etag_gives_412(api: Api) -> None:
    """PATCH with a stale If-Match answers 412 conditionNotMet; the fresh etag works."""
    event = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
    path = EVENTS.format("primary") + f"/{event['id']}"
    first = api.call("PATCH", path, json={"summary": "A"}, headers={"If-Match": event["etag"]})
    assert first.status_code == 200
    stale = api.call("PATCH", path, json={"summary": "B"}, headers={"If-Match": event["etag"]})
    assert stale.status_code == 412
    assert stale.json()["error"]["errors"][0]["reason"] == "conditionNotMet"
    fresh = api.call("PATCH", path, json={"summary": "B"}, headers={"If-Match": first.json()["etag"]})
    assert fresh.json()["summary"] == "B"


def test_attendee_copies_and_rsvp_propagate(api: Api) -> None:
    """Guests get copies with the same id and iCalUID; an RSVP shows on the organiser's copy."""
    event = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}, {"email": ROOM}]))
    bob_copy = api.call("GET", EVENTS.format(BOB) + f"/{event['id']}", BOB).json()
    assert bob_copy["iCalUID"] == event["iCalUID"]
    assert bob_copy["etag"] != event["etag"]
    me = next(a for a in bob_copy["attendees"] if a.get("self"))
    assert me == {"email": BOB, "responseStatus": "needsAction", "displayName": "Bob", "self": True}
    room = api.control.events(ROOM)
    assert [e["id"] for e in room] == [event["id"]]
    rsvp = api.call(
        "PATCH",
        EVENTS.format(BOB) + f"/{event['id']}",
        BOB,
        json={"attendees": [{"email": BOB, "responseStatus": "accepted"}]},
    )
    assert rsvp.status_code == 200
    mine = api.call("GET", EVENTS.format(ANN) + f"/{event['id']}").json()
    assert {a["email"]: a["responseStatus"] for a in mine["attendees"]} == {BOB: "accepted", ROOM: "accepted"}
    api.call("PATCH", EVENTS.format(ANN) + f"/{event['id']}", json={"summary": "Moved"})
    assert api.call("GET", EVENTS.format(BOB) + f"/{event['id']}", BOB).json()["summary"] == ("Moved")


def test_removing_attendee_cancels_their_copy(api: Api) -> None:
    """Dropping a guest cancels their copy; deleting as organiser cancels every copy."""
    event = api.insert(
        timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}, {"email": CAROL}])
    )
    api.call("PATCH", EVENTS.format(ANN) + f"/{event['id']}", json={"attendees": [{"email": CAROL}]})
    assert [e["status"] for e in api.control.events(BOB)] == ["cancelled"]
    assert api.call("DELETE", EVENTS.format(ANN) + f"/{event['id']}").status_code == 204
    assert [e["status"] for e in api.control.events(CAROL)] == ["cancelled"]
    again = api.call("DELETE", EVENTS.format(ANN) + f"/{event['id']}")
    assert again.status_code == 410
    assert again.json()["error"]["errors"][0]["reason"] == "deleted"


def test_attendee_delete_declines(api: Api) -> None:
    """A guest deleting their copy shows as declined to the organiser."""
    event = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00", attendees=[{"email": BOB}]))
    assert api.call("DELETE", EVENTS.format(BOB) + f"/{event['id']}", BOB).status_code == 204
    mine = api.call("GET", EVENTS.format(ANN) + f"/{event['id']}").json()
    assert mine["attendees"][0]["responseStatus"] == "declined"
    assert mine["status"] == "confirmed"


def test_paging_and_incremental_sync(api: Api) -> None:
    """Pages chain by opaque tokens; nextSyncToken only on the last page; sync returns changes."""
    ids = [api.insert(timed(f"2024-05-{d:02d}T10:00:00", f"2024-05-{d:02d}T11:00:00"))["id"] for d in range(1, 8)]
    seen, token, pages = [], None, 0
    params: dict[str, str] = {"maxResults": "3"}
    while True:
        page = api.call(
            "GET", EVENTS.format("primary"), params={**params, **({"pageToken": token} if token else {})}
        ).json()
        pages += 1
        seen += [e["id"] for e in page["items"]]
        token = page.get("nextPageToken")
        if not token:
            assert "nextSyncToken" in page
            sync = page["nextSyncToken"]
            break
        assert "nextSyncToken" not in page
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    api.call("PATCH", EVENTS.format("primary") + f"/{ids[0]}", json={"summary": "X"})
    api.call("DELETE", EVENTS.format("primary") + f"/{ids[1]}")
    delta = api.call("GET", EVENTS.format("primary"), params={"syncToken": sync}).json()
    assert {e["id"]: e["status"] for e in delta["items"]} == {ids[0]: "confirmed", ids[1]: "cancelled"}
    again = api.call("GET", EVENTS.format("primary"), params={"syncToken": delta["nextSyncToken"]}).json()
    assert again["items"] == []


def test_sync_token_lists_each_changed_event_once_in_change_order(api: Api) -> None:
    """A delta holds only what changed after its token, each event once, ordered by its latest change."""
    ids = [api.insert(timed(f"2024-05-{d:02d}T10:00:00", f"2024-05-{d:02d}T11:00:00"))["id"] for d in range(1, 5)]
    path = EVENTS.format("primary") + "/{}"
    api.call("PATCH", path.format(ids[0]), json={"summary": "before the token"})
    sync = api.call("GET", EVENTS.format("primary"), params={"maxResults": "2500"}).json()["nextSyncToken"]
    for event_id, summary in ((ids[1], "B1"), (ids[2], "C"), (ids[1], "B2"), (ids[3], "D")):
        api.call("PATCH", path.format(event_id), json={"summary": summary})
    api.call("DELETE", path.format(ids[3]))
    delta = api.call("GET", EVENTS.format("primary"), params={"syncToken": sync}).json()
    assert [(e["id"], e.get("summary"), e["status"]) for e in delta["items"]] == [
        (ids[2], "C", "confirmed"),
        (ids[1], "B2", "confirmed"),
        (ids[3], "D", "cancelled"),
    ]


def test_sync_token_forbidden_params_and_invalidation(api: Api) -> None:
    """timeMin with a syncToken is a 400; an invalidated token is a 410 fullSyncRequired."""
    api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
    sync = api.call("GET", EVENTS.format("primary")).json()["nextSyncToken"]
    for name, value in (
        ("timeMin", "2024-01-01T00:00:00Z"),
        ("orderBy", "updated"),
        ("q", "x"),
        ("timeMax", "2024-01-01T00:00:00Z"),
    ):
        bad = api.call("GET", EVENTS.format("primary"), params={"syncToken": sync, name: value})
        assert bad.status_code == 400, name
        assert bad.json()["error"]["errors"][0]["reason"] == "invalid"
    api.control.invalidate_sync_tokens()
    gone = api.call("GET", EVENTS.format("primary"), params={"syncToken": sync})
    assert gone.status_code == 410
    assert gone.json()["error"]["errors"][0]["reason"] == "fullSyncRequired"
    garbage = api.call("GET", EVENTS.format("primary"), params={"syncToken": "nonsense"})
    assert garbage.status_code == 410


def test_time_window_and_order(api: Api) -> None:
    """timeMin/timeMax select overlapping events; orderBy=startTime needs singleEvents."""
    late = api.insert(timed("2024-05-06T15:00:00", "2024-05-06T16:00:00", summary="late"))
    early = api.insert(timed("2024-05-06T09:00:00", "2024-05-06T10:00:00", summary="early"))
    api.insert(timed("2024-06-06T09:00:00", "2024-06-06T10:00:00", summary="later"))
    page = api.call(
        "GET",
        EVENTS.format("primary"),
        params={
            "timeMin": "2024-05-06T00:00:00Z",
            "timeMax": "2024-05-07T00:00:00Z",
            "singleEvents": "true",
            "orderBy": "startTime",
        },
    ).json()
    assert [e["id"] for e in page["items"]] == [early["id"], late["id"]]
    bad = api.call("GET", EVENTS.format("primary"), params={"orderBy": "startTime"})
    assert bad.status_code == 400
    found = api.call("GET", EVENTS.format("primary"), params={"q": "LATER"}).json()
    assert [e["summary"] for e in found["items"]] == ["later"]


def test_auth_errors(api: Api) -> None:
    """Missing or bogus tokens get 401; expired tokens too once the clock moves an hour."""
    missing = api.http.get(EVENTS.format("primary"))
    assert missing.status_code == 401
    assert missing.json()["error"]["status"] == "UNAUTHENTICATED"
    bogus = api.http.get(EVENTS.format("primary"), headers={"Authorization": "Bearer nope"})
    assert bogus.json()["error"]["errors"][0]["reason"] == "authError"
    headers = api.headers(ANN)
    assert api.http.get(EVENTS.format("primary"), headers=headers).status_code == 200
    api.control.set_clock(advance_seconds=3601)
    expired = api.http.get(EVENTS.format("primary"), headers=headers)
    assert expired.status_code == 401
    assert expired.json()["error"]["errors"][0]["reason"] == "authError"


def test_scope_and_visibility(api: Api) -> None:
    """Read-only tokens cannot write (403); other users' calendars are 404; rooms readable."""
    ro = api.headers(ANN, (CAL_RO,))
    denied = api.http.post(
        EVENTS.format("primary"), headers=ro, json=timed("2024-05-06T10:00:00", "2024-05-06T11:00:00")
    )
    assert denied.status_code == 403
    assert denied.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
    gmail_only = api.headers(ANN, (GMAIL,))
    assert api.http.get(EVENTS.format("primary"), headers=gmail_only).status_code == 403
    assert api.call("GET", EVENTS.format(BOB)).status_code == 404
    assert api.call("GET", EVENTS.format("nobody@example.com")).status_code == 404
    assert api.call("GET", EVENTS.format(ROOM)).status_code == 200
    write_room = api.call("POST", EVENTS.format(ROOM), json=timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
    assert write_room.status_code == 403


def test_acl_grants_access(api: Api) -> None:
    """acl.insert lets a delegate read and write; acl.delete takes it back."""
    rule = api.call(
        "POST", f"/calendar/v3/calendars/{ANN}/acl", json={"role": "writer", "scope": {"type": "user", "value": BOB}}
    ).json()
    assert rule["id"] == f"user:{BOB}"
    assert rule["kind"] == "calendar#aclRule"
    listed = api.call("GET", f"/calendar/v3/calendars/{ANN}/acl").json()
    assert {r["id"] for r in listed["items"]} == {f"user:{ANN}", f"user:{BOB}"}
    made = api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"), ANN, BOB)
    assert made["organizer"]["email"] == ANN
    assert made["creator"] == {"email": BOB}
    entry = api.call("GET", f"/calendar/v3/users/me/calendarList/{ANN}", BOB).json()
    assert entry["accessRole"] == "writer"
    assert api.call("DELETE", f"/calendar/v3/calendars/{ANN}/acl/user:{BOB}").status_code == 204
    assert api.call("GET", EVENTS.format(ANN), BOB).status_code == 404
    assert api.call("DELETE", f"/calendar/v3/calendars/{ANN}/acl/user:{BOB}").status_code == 404


def test_freebusy_opaque_transparent_declined(api: Api) -> None:
    """Only opaque, non-declined time is busy; invisible calendars report notFound."""
    api.insert(timed("2024-05-06T10:00:00", "2024-05-06T11:00:00"))
    api.insert(timed("2024-05-06T10:30:00", "2024-05-06T12:00:00"))
    api.insert(timed("2024-05-06T13:00:00", "2024-05-06T14:00:00", transparency="transparent"))
    invite = api.insert(timed("2024-05-06T15:00:00", "2024-05-06T16:00:00", attendees=[{"email": BOB}]))
    api.call(
        "PATCH",
        EVENTS.format(BOB) + f"/{invite['id']}",
        BOB,
        json={"attendees": [{"email": BOB, "responseStatus": "declined"}]},
    )
    body = {
        "timeMin": "2024-05-06T00:00:00Z",
        "timeMax": "2024-05-07T00:00:00Z",
        "items": [{"id": ANN}, {"id": BOB}, {"id": OUTSIDER}],
    }
    result = api.call("POST", "/calendar/v3/freeBusy", json=body).json()
    assert result["kind"] == "calendar#freeBusy"
    assert result["calendars"][ANN]["busy"] == [
        {"start": "2024-05-06T08:00:00Z", "end": "2024-05-06T10:00:00Z"},
        {"start": "2024-05-06T13:00:00Z", "end": "2024-05-06T14:00:00Z"},
    ]
    assert result["calendars"][BOB]["busy"] == []
    assert result["calendars"][OUTSIDER]["errors"][0]["reason"] == "notFound"


def test_settings_follow_directory(api: Api) -> None:
    """settings.get reports the user's locale and time zone; the control plane changes them."""
    path = "/calendar/v3/users/me/settings/{}"
    assert api.call("GET", path.format("locale")).json()["value"] == "de"
    assert api.call("GET", path.format("timezone")).json()["value"] == "Europe/Berlin"
    assert api.call("GET", path.format("weekStart")).json()["kind"] == "calendar#setting"
    assert api.call("GET", path.format("nope")).status_code == 404
    api.control.update_user(ANN, locale="fr", timeZone="Europe/Paris")
    assert api.call("GET", path.format("locale")).json()["value"] == "fr"


def test_vacation_roundtrip(api: Api) -> None:
    """Gmail vacation settings round-trip every field; another user's id is refused."""
    settings = {
        "enableAutoReply": True,
        "responseSubject": "Away",
        "responseBodyPlainText": "Back soon",
        "responseBodyHtml": "<p>Back</p>",
        "restrictToContacts": False,
        "restrictToDomain": True,
        "startTime": "1714953600000",
        "endTime": "1715558400000",
    }
    put = api.call("PUT", "/gmail/v1/users/me/settings/vacation", json=settings)
    assert put.json() == settings
    assert api.call("GET", f"/gmail/v1/users/{ANN}/settings/vacation").json() == settings
    other = api.call("GET", f"/gmail/v1/users/{BOB}/settings/vacation")
    assert other.status_code == 403
    cal_only = api.http.get("/gmail/v1/users/me/settings/vacation", headers=api.headers(ANN, (CAL_RO,)))
    assert cal_only.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
