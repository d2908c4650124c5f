"""Activation against the emulator: every state transition and every reason, retries, deactivation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from shared.config import GOOGLE_SCOPES
from shared.documents import doc_path
from shared.domain.principals import HINTS, ErrorReason, PrincipalKind, PrincipalState
from shared.errors import Conflict
from tests.e2e.test_sync_pipeline import ALICE, BOB, _create, _event
from tests.provisioning.conftest import principal
from tests.support.instant import T0
from tests.support.world import ROOMS, World, make_world

CALENDAR, GMAIL = GOOGLE_SCOPES
ROOM = ROOMS[0]["email"]


def _revoke_and_expire_tokens(world: World, scopes: list[str]) -> None:
    """Change the service account's scopes, then let every issued access token expire (2 hours later)."""
    world.control.set_service_account_scopes(world.org.domain, world.key["client_id"], scopes)
    world.clock.advance(timedelta(hours=2))
    world.control.set_clock(advance_seconds=7200)


def _revalidate(world: World, email: str) -> None:
    world.app.provisioning.revalidate(world.org.id, email)
    world.settle()


def test_a_person_goes_pending_then_active_with_calendar_settings(world: World) -> None:
    """Activation answers pending; provision_user validates, learns locale and zone, syncs and opens one watch."""
    result = world.app.provisioning.activate(world.org.id, ALICE, PrincipalKind.PERSON, [])
    assert result.principal.state is PrincipalState.PENDING
    world.settle()
    alice = principal(world, ALICE)
    assert alice.state is PrincipalState.ACTIVE and alice.reason is None and alice.hint is None
    assert alice.presence_enabled and (alice.locale, alice.time_zone) == ("de", "Europe/Berlin")
    assert world.count("gmail.users.settings.getVacation", ALICE) == 1
    assert [c["calendarId"] for c in world.control.channels()] == [ALICE]


def test_revoked_delegation_then_fixed(world: World) -> None:
    """Revoking the calendar scope makes revalidation fail with the client id and scopes; fixing it reactivates."""
    world.activate(ALICE)
    _revoke_and_expire_tokens(world, [GMAIL])
    _revalidate(world, ALICE)
    alice = principal(world, ALICE)
    assert alice.state is PrincipalState.ERROR and alice.reason is ErrorReason.DELEGATION_NOT_AUTHORIZED
    assert alice.detail is not None and world.key["client_id"] in alice.detail
    assert f"{CALENDAR},{GMAIL}" in alice.detail
    assert alice.hint == HINTS[ErrorReason.DELEGATION_NOT_AUTHORIZED]
    world.control.set_service_account_scopes(world.org.domain, world.key["client_id"], list(GOOGLE_SCOPES))
    _revalidate(world, ALICE)
    alice = principal(world, ALICE)
    assert alice.state is PrincipalState.ACTIVE and alice.reason is None and alice.detail is None
    assert [c["calendarId"] for c in world.control.channels()] == [ALICE]  # the old channel stopped, one new


def test_gmail_scope_missing_is_active_without_presence(tmp_path: Path) -> None:
    """A service account with only the calendar scope activates the user with presence disabled and says why."""
    world = make_world(tmp_path, scopes=[CALENDAR])
    try:
        world.activate(ALICE)
        alice = principal(world, ALICE)
        assert alice.state is PrincipalState.ACTIVE and not alice.presence_enabled
        assert alice.reason is ErrorReason.GMAIL_SCOPE_MISSING and alice.hint is not None
        assert alice.detail is not None and GMAIL in alice.detail
        world.control.clear_requests()
        assert world.runtime.run_job("poll_vacations") < 300
        world.settle()
        assert world.count("gmail.users.settings.getVacation") == 0
    finally:
        world.settle()
        world.close()


def test_unknown_user_is_calendar_not_found(world: World) -> None:
    """An address of the domain that Google does not know ends in calendar_not_found."""
    world.activate("nobody@example.com")
    nobody = principal(world, "nobody@example.com")
    assert nobody.state is PrincipalState.ERROR and nobody.reason is ErrorReason.CALENDAR_NOT_FOUND
    assert nobody.hint == HINTS[ErrorReason.CALENDAR_NOT_FOUND]


def test_wrong_domain_is_email_mismatch_without_google_calls(world: World) -> None:
    """An address outside the org's domain ends in email_mismatch before any Google call is made for it."""
    world.activate("eve@other.org")
    eve = principal(world, "eve@other.org")
    assert eve.state is PrincipalState.ERROR and eve.reason is ErrorReason.EMAIL_MISMATCH
    assert eve.detail is not None and "example.com" in eve.detail
    assert world.control.requests(subject="eve@other.org")["total"] == 0


def test_a_room_is_read_through_the_room_delegate(world: World) -> None:
    """A room activates through the org's room delegate, with presence disabled and its own watch channel."""
    world.activate(ROOM, PrincipalKind.ROOM)
    room = principal(world, ROOM)
    assert room.state is PrincipalState.ACTIVE and room.reason is None and not room.presence_enabled
    assert world.subjects("calendar.events.list") == {ALICE}
    assert world.count("gmail.users.settings.getVacation") == 0
    assert [(c["calendarId"], c["subject"]) for c in world.control.channels()] == [(ROOM, ALICE)]


def test_transient_503s_are_retried_then_succeed(world: World) -> None:
    """Two 503s on the settings read are retried by the bus with backoff, and validation then succeeds."""
    world.control.set_faults("calendar.settings.get", failNext=[503, 503])
    world.activate(ALICE)
    assert principal(world, ALICE).state is PrincipalState.ACTIVE
    assert world.control.count("calendar.settings.get", 503) == 2


def test_exhausted_retries_end_in_unavailable(world: World) -> None:
    """When every delivery meets a 503, the last one puts the principal in error(unavailable); revalidating heals."""
    attempts = world.app.settings.bus_max_attempts
    world.control.set_faults("calendar.settings.get", failNext=[503] * (attempts + 2))
    world.activate(ALICE)
    alice = principal(world, ALICE)
    assert alice.state is PrincipalState.ERROR and alice.reason is ErrorReason.UNAVAILABLE
    assert world.control.count("calendar.settings.get", 503) == attempts
    world.control.clear_faults()
    _revalidate(world, ALICE)
    assert principal(world, ALICE).state is PrincipalState.ACTIVE


def test_deactivation_destroys_everything_and_a_later_activation_starts_clean(world: World) -> None:
    """Deactivation stops the channel, deletes meetings and sync state, shreds keys; reactivating starts afresh."""
    world.activate(ALICE)
    _create(world, ALICE, _event("Planning", 3, location="@webex"))
    world.settle()
    pid = principal(world, ALICE).id
    stores = world.app.stores
    assert stores.meetings.count_meetings(world.org.id, pid) == 1 and len(world.control.channels()) == 1
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    assert world.control.channels() == [] and world.count("calendar.channels.stop", ALICE) == 1
    assert stores.meetings.count_meetings(world.org.id, pid) == 0
    assert stores.presence.get_presence(world.org.id, pid) is None
    assert stores.sync_states.get_sync_state(world.org.id, pid)[1] is None
    assert world.app.documents.get(doc_path("orgs", world.org.id, "principalKeys", pid)) is None
    gone = world.app.provisioning.require_principal(world.org.id, ALICE)  # visible until purged
    assert (gone.state, gone.deactivated_at, gone.deactivated_by) == (PrincipalState.DEACTIVATED, T0, "admin")
    with pytest.raises(Conflict):
        world.app.provisioning.revalidate(world.org.id, ALICE)
    world.activate(ALICE)
    again = principal(world, ALICE)
    assert again.state is PrincipalState.ACTIVE and again.id == pid
    assert stores.meetings.count_meetings(world.org.id, pid) == 1 and len(world.control.channels()) == 1


def test_decisions_do_not_survive_deactivation(world: World) -> None:
    """A later activation lists no join-detail decisions from before (they were sealed under the shredded key)."""
    world.activate(ALICE)
    _create(world, ALICE, _event("Planning", 3, location="@webex"))
    world.settle()
    pid = principal(world, ALICE).id
    assert world.app.stores.decisions.list_decisions(world.org.id, pid)
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    world.activate(ALICE)
    assert world.app.stores.decisions.list_decisions(world.org.id, pid) == []


def test_an_error_principal_is_never_synced_patched_or_polled(world: World) -> None:
    """Changes to an error-state principal's calendar cause no events.list, no patch and no vacation poll."""
    world.activate(ALICE)
    _revoke_and_expire_tokens(world, [GMAIL])
    _revalidate(world, ALICE)
    assert principal(world, ALICE).state is PrincipalState.ERROR
    world.control.set_service_account_scopes(world.org.domain, world.key["client_id"], list(GOOGLE_SCOPES))
    world.control.clear_requests()
    (channel,) = [c["id"] for c in world.control.channels() if c["calendarId"] == ALICE]
    _create(world, BOB, _event("Invite", 3, attendees=[ALICE], location="@webex"))
    world.settle()
    delivered = [p for p in world.control.pushes() if p["channelId"] == channel and p["resourceState"] == "exists"]
    assert delivered  # Google still notifies the channel it could not be asked to stop
    world.runtime.run_job("poll_vacations")
    world.runtime.run_job("maintain_channels")
    world.settle()
    for operation in ("calendar.events.list", "calendar.events.patch", "gmail.users.settings.getVacation"):
        assert world.count(operation, ALICE) == 0, operation
    assert world.count("calendar.events.watch") == 0


def test_deactivation_destroys_data_even_when_delegation_is_gone(world: World) -> None:
    """With delegation revoked the channel cannot be stopped at Google, yet the data goes and the channel is closed."""
    world.activate(ALICE)
    _create(world, ALICE, _event("Planning", 3))
    world.settle()
    pid = principal(world, ALICE).id
    _revoke_and_expire_tokens(world, [])
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.settle()
    assert principal(world, ALICE).state is PrincipalState.DEACTIVATED
    assert world.app.stores.meetings.count_meetings(world.org.id, pid) == 0
    assert [c.state.value for c in world.app.stores.channels.channels_of(world.org.id, pid)] == ["stopped"]
    assert world.count("calendar.channels.stop") == 0 and len(world.control.channels()) == 1
