"""Join details from a keyword, end to end: exactly one PATCH, localized, loop-free and reversible."""

from __future__ import annotations

from typing import Any

from shared.domain.joinblock import BLOCK_BEGIN, BLOCK_END, strip_block
from shared.ports.messages import RewriteJoinDetails
from shared.topics import JOIN_REWRITE
from tests.e2e.test_sync_pipeline import ALICE, BOB, _create, _event
from tests.support.world import World


def _event_now(world: World, who: str, event_id: str) -> dict[str, Any]:
    with world.http(who) as http:
        body: dict[str, Any] = http.get(f"/calendar/v3/calendars/{who}/events/{event_id}").json()
        return body


def _patch(world: World, who: str, event_id: str, body: dict[str, Any]) -> None:
    with world.http(who) as http:
        assert http.patch(f"/calendar/v3/calendars/{who}/events/{event_id}", json=body).status_code == 200


def test_keyword_gets_one_localized_patch_and_no_loop(world: World) -> None:
    """`@webex` in the location costs exactly one events.patch; the block is German for a German organiser."""
    world.activate(ALICE)
    world.control.clear_requests()
    user_text = "Agenda:\n1. Budget\n2. Roadmap  \n"
    created = _create(
        world, ALICE, _event("Planning", 3, attendees=[BOB], location="Room 4 @webex", description=user_text)
    )
    world.settle()
    assert world.count("calendar.events.patch") == 1
    event = _event_now(world, ALICE, created["id"])
    description = event["description"]
    assert BLOCK_BEGIN in description and BLOCK_END in description
    assert "Link zum Beitreten" in description and "https://example.webex.com/meet/alice" in description
    assert strip_block(description) == user_text
    assert event["extendedProperties"]["private"]["hcRewrite"] == "@webex"
    bob_copy = _event_now(world, BOB, created["id"])
    assert "https://example.webex.com/meet/alice" in bob_copy["description"]
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    decisions = world.app.stores.decisions.list_decisions(world.org.id, pid)
    assert decisions[0]["outcome"] == "added"


def test_redeliveries_patch_nothing_more(world: World) -> None:
    """Twenty redeliveries of the rewrite message still leave exactly one patch."""
    world.activate(ALICE)
    created = _create(world, ALICE, _event("Sync", 4, location="@webex"))
    world.settle()
    world.control.clear_requests()
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    message = RewriteJoinDetails(org_id=world.org.id, principal_id=pid, event_id=created["id"]).encode()
    for _ in range(20):
        world.app.bus.publish(JOIN_REWRITE, message, ordering_key=f"{world.org.id}/{pid}")
    world.settle()
    assert world.count("calendar.events.patch") == 0
    assert world.count("calendar.events.get") == 20


def test_removing_and_changing_the_keyword(world: World) -> None:
    """Changing `@webex` to `@webex:space` replaces the block; removing it removes the block and the properties."""
    world.activate(ALICE)
    created = _create(world, ALICE, _event("Review", 5, location="@webex", description="Keep me"))
    world.settle()
    _patch(world, ALICE, created["id"], {"location": "HQ @webex:space"})
    world.settle()
    space = _event_now(world, ALICE, created["id"])
    assert "/join/" in space["description"] and "/meet/alice" not in space["description"]
    assert space["description"].count(BLOCK_BEGIN) == 1
    _patch(world, ALICE, created["id"], {"location": "HQ"})
    world.settle()
    plain = _event_now(world, ALICE, created["id"])
    assert plain["description"] == "Keep me"
    assert "hcRewrite" not in plain.get("extendedProperties", {}).get("private", {})


def test_attendees_copy_is_never_patched(world: World) -> None:
    """Only the organiser's event is patched: an invitee with the keyword in their copy gets no patch of their own."""
    world.activate(ALICE)
    world.activate(BOB)
    world.control.clear_requests()
    _create(world, BOB, _event("Bob's", 6, attendees=[ALICE], location="@webex"))
    world.settle()
    assert world.subjects("calendar.events.patch") == {BOB}
    assert world.count("calendar.events.patch") == 1


def test_html_description_keeps_scripts_and_broken_markup_exactly(world: World) -> None:
    """An HTML description gets an HTML block; the user's markup, scripts included, survives byte for byte."""
    world.activate(ALICE)
    user_html = '<p>Plan <b>this</b><script>alert("x")</script><div>unclosed <i>tag</p>'
    created = _create(world, ALICE, _event("HTML", 7, location="@webex", description=user_html))
    world.settle()
    description = _event_now(world, ALICE, created["id"])["description"]
    assert description.startswith(user_html)
    assert "<a href=" in description and strip_block(description) == user_html


def test_unknown_locale_falls_back_to_english(world: World) -> None:
    """An organiser whose Calendar locale has no catalog gets the English block."""
    world.control.update_user("carol@example.com", locale="xx")
    world.activate("carol@example.com")
    created = _create(world, "carol@example.com", _event("Fallback", 8, location="@webex"))
    world.settle()
    assert "Join link" in _event_now(world, "carol@example.com", created["id"])["description"]


def test_description_near_the_limit_is_skipped_not_truncated(world: World) -> None:
    """When the block would not fit Google's description limit, nothing is patched and the reason is recorded."""
    world.activate(ALICE)
    huge = "x" * 8100
    created = _create(world, ALICE, _event("Huge", 9, location="@webex", description=huge))
    world.settle()
    assert _event_now(world, ALICE, created["id"])["description"] == huge
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    assert world.app.stores.decisions.list_decisions(world.org.id, pid)[0]["reason"] == "too_large"


def test_recurring_series_master_is_patched_once(world: World) -> None:
    """A keyword on a recurring series patches the master once, and every instance shows the block."""
    world.activate(ALICE)
    world.control.clear_requests()
    created = _create(
        world, ALICE, _event("Weekly sync", 2, location="@webex:space", recurrence=["RRULE:FREQ=WEEKLY;COUNT=6"])
    )
    world.settle()
    assert world.count("calendar.events.patch") == 1
    with world.http(ALICE) as http:
        instances = http.get(f"/calendar/v3/calendars/{ALICE}/events/{created['id']}/instances").json()["items"]
    assert instances and all(BLOCK_BEGIN in i.get("description", "") for i in instances)


def test_exception_instance_with_its_own_keyword_gets_its_own_block(world: World) -> None:
    """An instance moved out of a keyword-less series with its own keyword gets a block of its own."""
    world.activate(ALICE)
    created = _create(world, ALICE, _event("Daily", 2, recurrence=["RRULE:FREQ=DAILY;COUNT=5"]))
    world.settle()
    with world.http(ALICE) as http:
        instances = http.get(f"/calendar/v3/calendars/{ALICE}/events/{created['id']}/instances").json()["items"]
        second = instances[1]
        assert (
            http.patch(f"/calendar/v3/calendars/{ALICE}/events/{second['id']}", json={"location": "@webex"}).status_code
            == 200
        )
    world.settle()
    patched = _event_now(world, ALICE, second["id"])
    assert BLOCK_BEGIN in patched.get("description", "")
    assert BLOCK_BEGIN not in _event_now(world, ALICE, instances[0]["id"]).get("description", "")
