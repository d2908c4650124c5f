"""Retries, Retry-After, the attempt and time bounds, 401 refresh and error mapping under injected faults."""

from __future__ import annotations

import httpx
import pytest

from shared.adapters.google.http import RetryPolicy
from shared.errors import (
    DelegationDenied,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from tests.google.conftest import ANN, CAL, DOMAIN, GMAIL, Env, assert_counts_agree, timed

SETTING = "calendar.settings.get"


def test_429_then_success_backs_off_with_full_jitter(env: Env) -> None:
    """Two injected 429s are retried with full-jitter waits inside the exponential ceiling, then succeed."""
    stack = env.clients()
    env.control.set_faults(SETTING, failNext=["429", "429"])
    assert stack.calendar(env.credential, ANN).get_setting("locale") == "de"
    assert len(env.sleep.delays) == 2
    assert 0 <= env.sleep.delays[0] <= 0.5 and 0 <= env.sleep.delays[1] <= 1.0
    assert stack.counter.count(SETTING, outcome="429") == 2
    assert stack.counter.count(SETTING, outcome="200") == 1
    assert_counts_agree(env, stack)


def test_503_stops_at_the_attempt_bound(env: Env) -> None:
    """A persistent 503 is tried exactly max_attempts times and then raises Unavailable."""
    stack = env.clients(policy=RetryPolicy(max_attempts=4, total=600))
    env.control.set_faults(SETTING, failNext=["503"] * 10)
    with pytest.raises(Unavailable):
        stack.calendar(env.credential, ANN).get_setting("locale")
    assert env.control.count(SETTING, 503) == 4
    assert len(env.sleep.delays) == 3
    assert_counts_agree(env, stack)


def test_retry_after_is_honoured(emu: Env) -> None:
    """A Retry-After header sets the wait exactly, for 429 and for 500 alike."""
    stack = emu.clients()
    emu.control.set_faults(SETTING, failNext=["429", "500"], retryAfter=7)
    assert stack.calendar(emu.credential, ANN).get_setting("timezone") == "Europe/Berlin"
    assert emu.sleep.delays == [7.0, 7.0]


def test_total_time_bound_stops_before_the_attempt_bound(emu: Env) -> None:
    """With total=10 s and Retry-After 6 s, the second wait would pass the budget: two attempts, then RateLimited."""
    stack = emu.clients(policy=RetryPolicy(max_attempts=10, total=10))
    emu.control.set_faults(SETTING, failNext=["429"] * 5, retryAfter=6)
    with pytest.raises(RateLimited) as caught:
        stack.calendar(emu.credential, ANN).get_setting("locale")
    assert caught.value.retry_after == 6.0
    assert emu.sleep.delays == [6.0]
    assert emu.control.count(SETTING) == 2


def test_403_rate_limit_reasons_are_retried_other_403s_are_not(emu: Env) -> None:
    """403 userRateLimitExceeded and rateLimitExceeded are retried; 403 cannotChangeOwnAcl raises Forbidden at once."""
    stack = emu.clients()
    cal = stack.calendar(emu.credential, ANN)
    emu.control.set_faults(SETTING, failNext=["403-userratelimitexceeded", "403-ratelimitexceeded"])
    assert cal.get_setting("locale") == "de"
    assert stack.counter.count(SETTING, outcome="403") == 2
    with pytest.raises(Forbidden) as caught:
        cal.delete_acl("primary", f"user:{ANN}")
    assert caught.value.reason == "cannotChangeOwnAcl"
    assert stack.counter.count("calendar.acl.delete") == 1
    assert_counts_agree(emu, stack)


def test_permanent_statuses_are_never_retried(emu: Env) -> None:
    """400, 404, 410 and 412 each cost exactly one call and no sleep."""
    stack = emu.clients()
    cal = stack.calendar(emu.credential, ANN)
    event = cal.insert_event("primary", timed("2026-11-25T10:00:00", "2026-11-25T11:00:00"))
    with pytest.raises(InvalidInput):
        cal.insert_event("primary", {"summary": "no times"})
    with pytest.raises(NotFound):
        cal.get_event("primary", "missing1")
    cal.delete_event("primary", event["id"])
    with pytest.raises(NotFound):
        cal.delete_event("primary", event["id"])
    assert emu.sleep.delays == []
    assert stack.counter.by_operation_outcome()["calendar.events.insert"] == {"200": 1, "400": 1}
    assert stack.counter.by_operation_outcome()["calendar.events.delete"] == {"204": 1, "410": 1}
    assert_counts_agree(emu, stack)


def test_expired_token_is_refreshed_once(emu: Env) -> None:
    """When Google answers 401 for a cached token, the client refreshes once and the call succeeds."""
    stack = emu.clients()
    cal = stack.calendar(emu.credential, ANN)
    assert cal.get_setting("locale") == "de"
    emu.control.set_clock(advance_seconds=3700)
    assert cal.get_setting("locale") == "de"
    assert stack.counter.by_operation_outcome() == {
        "calendar.settings.get": {"200": 2, "401": 1},
        "oauth2.token": {"200": 2},
    }
    assert_counts_agree(emu, stack)


def test_a_second_401_raises_unauthenticated(emu: Env) -> None:
    """If the refreshed token is refused too, the call raises Unauthenticated after exactly one refresh."""
    inner = emu.transport
    assert inner is not None

    def refuse_api_calls(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/calendar/"):
            return httpx.Response(
                401, json={"error": {"code": 401, "message": "x", "errors": [{"reason": "authError"}]}}
            )
        response = inner.handle_request(request)
        response.read()
        return response

    emu.transport = httpx.MockTransport(refuse_api_calls)
    stack = emu.clients()
    with pytest.raises(Unauthenticated):
        stack.calendar(emu.credential, ANN).get_setting("locale")
    assert stack.counter.by_operation_outcome() == {"calendar.settings.get": {"401": 2}, "oauth2.token": {"200": 2}}


def test_delegation_denied_names_client_id_and_scopes(env: Env) -> None:
    """Revoking the calendar scope makes the token endpoint refuse: DelegationDenied with client id and scopes."""
    env.control.set_service_account_scopes(DOMAIN, env.key["client_id"], [GMAIL])
    stack = env.clients()
    with pytest.raises(DelegationDenied) as caught:
        stack.calendar(env.credential, ANN).get_setting("locale")
    assert caught.value.client_id == env.key["client_id"]
    assert caught.value.scopes == (CAL,)
    assert env.key["client_id"] in caught.value.message and CAL in caught.value.message
    assert stack.gmail(env.credential, ANN).get_vacation()["enableAutoReply"] is False
    assert stack.counter.by_operation_outcome() == {
        "gmail.users.settings.getVacation": {"200": 1},
        "oauth2.token": {"200": 1, "401": 1},
    }
    assert_counts_agree(env, stack)


def test_unknown_subject_is_forbidden_invalid_grant(emu: Env) -> None:
    """A subject outside the domain is refused by the token endpoint: Forbidden(invalid_grant), not retried."""
    stack = emu.clients()
    with pytest.raises(Forbidden) as caught:
        stack.calendar(emu.credential, "olga@other.org").get_setting("locale")
    assert caught.value.reason == "invalid_grant"
    assert stack.counter.count("oauth2.token") == 1


def test_token_endpoint_503_is_retried(emu: Env) -> None:
    """A 503 from /token is retried by the same policy (google-auth's own wall-clock backoff is bypassed)."""
    stack = emu.clients()
    emu.control.set_faults("oauth2.token", failNext=["503"], retryAfter=2)
    assert stack.calendar(emu.credential, ANN).get_setting("locale") == "de"
    assert emu.sleep.delays == [2.0]
    assert stack.counter.by_operation_outcome()["oauth2.token"] == {"200": 1, "503": 1}
    assert_counts_agree(emu, stack)


def test_connection_failures_become_unavailable(emu: Env) -> None:
    """A transport that cannot connect yields Unavailable after the attempt bound; no httpx error escapes."""
    calls: list[str] = []
    inner = emu.transport
    assert inner is not None

    def broken(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/calendar/"):
            calls.append(request.url.path)
            raise httpx.ConnectError("refused", request=request)
        response = inner.handle_request(request)
        response.read()
        return response

    emu.transport = httpx.MockTransport(broken)
    stack = emu.clients(policy=RetryPolicy(max_attempts=3))
    with pytest.raises(Unavailable):
        stack.calendar(emu.credential, ANN).get_setting("locale")
    assert len(calls) == 3
    assert stack.counter.count(SETTING, outcome="transport_error") == 3
