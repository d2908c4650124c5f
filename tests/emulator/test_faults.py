"""Fault injection, quotas, the request log and the clock."""

from __future__ import annotations

from tests.emulator.conftest import ANN, BOB, Api, timed

LIST = "/calendar/v3/calendars/primary/events"


def test_fail_next_is_exact(api: Api) -> None:
    """failNext fails exactly the next calls of that operation, in order, with Retry-After."""
    api.control.set_faults("calendar.events.list", failNext=[429, 503, "403-userRateLimitExceeded"], retryAfter=2)
    answers = [api.call("GET", LIST) for _ in range(4)]
    assert [r.status_code for r in answers] == [429, 503, 403, 200]
    assert answers[0].headers["Retry-After"] == "2"
    assert answers[0].json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert answers[1].json()["error"]["errors"][0]["reason"] == "backendError"
    assert answers[2].json()["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    counts = api.control.requests()["countsByOperationStatus"]["calendar.events.list"]
    assert counts == {"200": 1, "403": 1, "429": 1, "503": 1}


def test_other_operations_unaffected(api: Api) -> None:
    """A rule for one operation leaves the others alone."""
    api.control.set_faults("calendar.events.insert", rate500=1.0)
    assert api.call("GET", LIST).status_code == 200
    made = api.call("POST", LIST, json=timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
    assert made.status_code == 500
    api.control.clear_faults()
    assert api.call("POST", LIST, json=timed("2024-05-01T10:00:00", "2024-05-01T11:00:00")).status_code == 200


def test_seeded_rates_repeat(api: Api) -> None:
    """The same seed gives the same sequence of injected failures."""
    runs = []
    for _ in range(2):
        api.control.set_faults("*", rate429=0.3, rate403RateLimit=0.2, seed=42)
        runs.append([api.call("GET", LIST).status_code for _ in range(30)])
    assert runs[0] == runs[1]
    assert {200, 429, 403} <= set(runs[0])


def test_per_user_quota(api: Api) -> None:
    """A per-user per-minute quota answers 403 userRateLimitExceeded; a new minute resets it."""
    api.control.set_clock(time="2024-05-01T10:00:00Z", frozen=True)
    api.control.set_faults("*", quotaPerUserPerMinute=3)
    assert [api.call("GET", LIST).status_code for _ in range(4)] == [200, 200, 200, 403]
    assert api.call("GET", LIST, BOB).status_code == 200
    api.control.set_clock(advance_seconds=60)
    assert api.call("GET", LIST).status_code == 200
    api.control.set_faults("*", quotaPerUserPerMinute=0, quotaStatus=429)
    assert api.call("GET", LIST).status_code == 429


def test_sync_token_invalid_rate(api: Api) -> None:
    """syncTokenInvalidRate=1 answers every incremental sync with 410."""
    sync = api.call("GET", LIST).json()["nextSyncToken"]
    api.control.set_faults("calendar.events.list", syncTokenInvalidRate=1.0)
    assert api.call("GET", LIST, params={"syncToken": sync}).status_code == 410
    assert api.call("GET", LIST).status_code == 200


def test_bad_fault_spec_is_400(api: Api) -> None:
    """Unknown fields or out-of-range rates are refused with Google's 400 body."""
    response = api.http.post("/emulator/v1/faults", json={"rate42": 1})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400
    assert api.http.post("/emulator/v1/faults", json={"rate429": 2}).status_code == 400
    assert api.http.post("/emulator/v1/faults", json={"failNext": [418]}).status_code == 400


def test_request_log_counts_and_clear(api: Api) -> None:
    """The log counts per operation, status and subject, filters, and clears."""
    api.headers(ANN)
    api.headers(BOB)
    api.control.clear_requests()
    api.call("GET", LIST)
    api.call("GET", LIST, BOB)
    api.call("GET", "/calendar/v3/calendars/primary/events/nosuchevent1")
    log = api.control.requests()
    assert log["countsByOperation"] == {"calendar.events.get": 1, "calendar.events.list": 2}
    assert log["countsBySubject"] == {ANN: 2, BOB: 1}
    assert log["countsByOperationStatus"]["calendar.events.get"] == {"404": 1}
    assert log["items"][2]["reason"] == "notFound"
    assert len(api.control.requests(subject=BOB)["items"]) == 1
    api.control.clear_requests()
    assert api.control.requests()["total"] == 0


def test_clock_drives_server_times(api: Api) -> None:
    """created/updated follow the emulator clock; frozen clocks stand still."""
    api.control.set_clock(time="2030-01-02T03:04:05Z", frozen=True)
    made = api.insert(timed("2030-01-05T10:00:00", "2030-01-05T11:00:00"))
    assert made["created"] == "2030-01-02T03:04:05.000Z"
    api.control.set_clock(advance_seconds=90)
    patched = api.call("PATCH", LIST + f"/{made['id']}", json={"summary": "x"}).json()
    assert patched["updated"] == "2030-01-02T03:05:35.000Z"
    assert api.control.clock()["time"] == "2030-01-02T03:05:35.000Z"
    running = api.control.set_clock(frozen=False)
    assert running["frozen"] is False


def test_reset_forgets_everything(api: Api) -> None:
    """reset clears the directory, events, log and faults."""
    api.insert(timed("2024-05-01T10:00:00", "2024-05-01T11:00:00"))
    api.control.set_faults("*", rate500=1.0)
    api.control.reset()
    assert api.control.requests()["total"] == 0
    assert api.http.get("/emulator/v1/faults").json() == {"rules": []}
    assert api.http.get("/emulator/v1/domains").json() == {"items": []}
