"""Deactivation while other work for the same calendar is in flight: nothing it destroyed stays written again.

Each test lands a deactivation (the admin's call, then what the provision_user worker does) at the
point where another instance's work for Alice is between its read and its write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from shared.documents import Put, Query
from shared.domain.principals import Principal, PrincipalState
from shared.domain.sync import ChannelState
from shared.errors import Unavailable
from shared.ports import BusMessage
from shared.ports.messages import ProvisionUser
from shared.services.deactivation import HORIZON
from shared.services.sync_lease import SyncLeases
from tests.support.instant import T0, z
from tests.support.world import World

ALICE = "alice@example.com"


def _deactivate(world: World) -> None:
    pid = world.app.stores.principals.principal_id(world.org.id, ALICE)
    world.app.provisioning.deactivate(world.org.id, ALICE)
    world.app.provisioning.run(ProvisionUser(org_id=world.org.id, principal_id=pid, action="deactivate"))


def _alice(world: World) -> tuple[str, str]:
    world.activate(ALICE)
    return world.org.id, world.app.stores.principals.principal_id(world.org.id, ALICE)


def _left(world: World, org: str, pid: str) -> dict[str, int]:
    """What is stored for Alice: her key, her sync state, her meetings."""
    docs = world.app.stores.documents
    meetings = [d for d in docs.query(Query(f"orgs/{org}/meetings")) if d.data.get("principal_id") == pid]
    return {
        "key": int(docs.get(f"orgs/{org}/principalKeys/{pid}") is not None),
        "sync_state": int(docs.get(f"orgs/{org}/syncStates/{pid}") is not None),
        "meetings": len(meetings),
    }


NOTHING = {"key": 0, "sync_state": 0, "meetings": 0}


def test_a_sync_lease_released_after_deactivation_writes_nothing_back(world: World) -> None:
    org, pid = _alice(world)
    leases = SyncLeases(world.app.stores.sync_states, world.clock)
    lease = leases.acquire(org, pid)
    _deactivate(world)
    assert _left(world, org, pid) == NOTHING

    assert leases.release(lease, sync_token="next-token", last_sync=world.clock.now()) is False

    # Before, the release's second try wrote her state back whole. Its first try (over the version it held)
    # sealed the token before the store refused it, which makes her a key again: the second pass takes it.
    assert _left(world, org, pid)["sync_state"] == 0
    assert world.app.channels.maintain().redestroyed == 1
    assert _left(world, org, pid) == NOTHING


def test_a_dead_letter_noted_while_the_user_is_deactivated_leaves_them_deactivated(world: World) -> None:
    org, pid = _alice(world)
    service = world.app.dead_letters
    stored = service._principals
    raced: list[bool] = []

    def race() -> None:
        if not raced:
            raced.append(True)
            _deactivate(world)

    class DeactivatedAfterTheRead:
        """The principal repository, with the deactivation landing right after the mark reads Alice."""

        def __getattr__(self, name: str) -> Any:
            return getattr(stored, name)

        def get_principal(self, org_id: str, principal_id: str) -> Principal | None:
            found = stored.get_principal(org_id, principal_id)
            race()
            return found

        def update_principal(self, org_id: str, principal_id: str, change: Callable[[Principal], Principal]) -> Any:
            def read_then_race(principal: Principal) -> Principal:
                race()
                return change(principal)

            return stored.update_principal(org_id, principal_id, read_then_race)

    service._principals = DeactivatedAfterTheRead()  # type: ignore[assignment]
    data = f'{{"kind": "sync_calendar", "v": 1, "org_id": "{org}", "principal_id": "{pid}"}}'.encode()
    letter = BusMessage("calendar-sync-dead-letter", data, {"deadLetterReason": "unavailable: x"}, message_id="m1")
    service.record(letter)

    assert raced
    principal = world.app.stores.principals.get_principal(org, pid)
    assert principal is not None and principal.state is PrincipalState.DEACTIVATED  # not written back as active
    report = world.app.channels.maintain()  # so maintenance does not watch and sync her again
    assert report.renewed == report.reconciled == 0
    assert _left(world, org, pid) == NOTHING


def test_what_a_sync_in_flight_wrote_after_deactivation_is_destroyed_by_the_next_maintenance(world: World) -> None:
    org, pid = _alice(world)
    start = T0 + timedelta(hours=1)
    event = {"summary": "Planning", "start": {"dateTime": z(start)}, "end": {"dateTime": z(start + timedelta(hours=1))}}
    with world.http(ALICE) as http:
        assert http.post(f"/calendar/v3/calendars/{ALICE}/events", json=event).status_code == 200
    applier = world.app.sync._applier
    apply = applier.apply

    def deactivated_meanwhile(*args: Any, **kwargs: Any) -> Any:  # between the listing and the write
        _deactivate(world)
        return apply(*args, **kwargs)

    applier.apply = deactivated_meanwhile  # type: ignore[method-assign]
    try:
        world.app.sync.sync(org, pid)
    finally:
        applier.apply = apply  # type: ignore[method-assign]
    assert _left(world, org, pid)["meetings"] >= 1 and _left(world, org, pid)["key"] == 1  # written after the shred

    report = world.app.channels.maintain()

    assert report.redestroyed == 1
    assert _left(world, org, pid) == NOTHING
    assert world.app.channels.maintain().redestroyed == 0  # nothing left to destroy: the next run writes nothing


def test_a_channel_renewed_as_the_user_is_deactivated_is_stopped_by_the_same_maintenance(world: World) -> None:
    org, pid = _alice(world)
    channels = world.app.channels
    renew = channels.renew

    def deactivated_first(*args: Any) -> int:  # after maintenance listed Alice as active
        _deactivate(world)
        return renew(*args)

    world.clock.advance(timedelta(days=6, hours=12))  # her channel is due for renewal
    channels.renew = deactivated_first  # type: ignore[method-assign]
    try:
        report = channels.maintain()
    finally:
        channels.renew = renew  # type: ignore[method-assign]

    assert report.renewed == 1
    states = {c.state for c in world.app.stores.channels.channels_of(org, pid)}
    assert ChannelState.ACTIVE not in states and ChannelState.STOPPED in states


def test_the_second_pass_looks_only_at_deactivations_within_its_horizon(world: World) -> None:
    org, pid = _alice(world)
    _deactivate(world)
    world.clock.advance(HORIZON - timedelta(minutes=1))
    cipher = world.app.stores.backend.cipher  # type: ignore[attr-defined]
    assert cipher.encrypt(org, b"late", b"aad", principal_id=pid)  # a late sealed write makes her a key again
    assert world.app.channels.maintain().redestroyed == 1 and _left(world, org, pid) == NOTHING

    world.clock.advance(timedelta(minutes=2))  # past the horizon
    assert cipher.encrypt(org, b"later", b"aad", principal_id=pid)
    assert world.app.channels.maintain().redestroyed == 0  # a deactivation older than the horizon is not read
    assert _left(world, org, pid)["key"] == 1


def test_deactivation_leaves_no_light_check_behind(world: World) -> None:
    """The last light re-validation of a user is theirs too: deactivation deletes it with the rest."""
    org, pid = _alice(world)
    world.app.health_records.note_checked(org, pid, world.clock.now())
    assert world.app.stores.documents.get(f"orgs/{org}/lightChecks/{pid}") is not None

    _deactivate(world)

    assert world.app.stores.documents.get(f"orgs/{org}/lightChecks/{pid}") is None


def test_a_write_that_made_no_key_is_found_and_destroyed_too(world: World) -> None:
    """Another instance may still hold Alice's key in its cache after the shred and seal with it: its meeting
    leaves no key and no sync state behind, and the second pass still finds and destroys it."""
    org, pid = _alice(world)
    _deactivate(world)
    late = {"principal_id": pid, "event_id": "late", "expireAt": world.clock.now() + timedelta(days=30)}
    world.app.stores.documents.write([Put(f"orgs/{org}/meetings/late", late)])  # what that instance wrote
    assert _left(world, org, pid) == {"key": 0, "sync_state": 0, "meetings": 1}

    assert world.app.channels.maintain().redestroyed == 1
    assert _left(world, org, pid) == NOTHING


def test_a_user_activated_again_as_the_pass_reads_the_deactivations_is_left_alone(world: World) -> None:
    org, pid = _alice(world)
    _deactivate(world)
    world.settle()  # the deactivation's own queued message is delivered (and finds her deactivated already)
    principals = world.app.stores.principals
    listed = principals.deactivated_since

    def then_activated_again(org_id: str, since: Any) -> list[str]:  # right after the pass listed her
        found = listed(org_id, since)
        world.activate(ALICE)  # synced and watched again, with a new key
        return found

    principals.deactivated_since = then_activated_again  # type: ignore[method-assign]
    try:
        report = world.app.channels.maintain()
    finally:
        principals.deactivated_since = listed  # type: ignore[method-assign]

    assert report.redestroyed == 0
    assert _left(world, org, pid)["key"] == 1 and _left(world, org, pid)["sync_state"] == 1
    assert ChannelState.ACTIVE in {c.state for c in world.app.stores.channels.channels_of(org, pid)}


def test_one_principal_the_second_pass_cannot_clean_does_not_stop_it_for_the_others(world: World) -> None:
    org, pid = _alice(world)
    bob = "bob@example.com"
    world.activate(bob)
    bob_id = world.app.stores.principals.principal_id(org, bob)
    _deactivate(world)
    world.app.provisioning.deactivate(org, bob)
    world.app.provisioning.run(ProvisionUser(org_id=org, principal_id=bob_id, action="deactivate"))
    cipher = world.app.stores.backend.cipher  # type: ignore[attr-defined]
    for who in (pid, bob_id):
        assert cipher.encrypt(org, b"late", b"aad", principal_id=who)  # both have a key again
    principals = world.app.stores.principals
    destroy = principals.destroy_principal_data
    tried: list[str] = []

    def first_one_fails(org_id: str, principal_id: str) -> int:
        tried.append(principal_id)
        if len(tried) == 1:
            raise Unavailable("the store is busy")
        return destroy(org_id, principal_id)

    principals.destroy_principal_data = first_one_fails  # type: ignore[method-assign]
    try:
        report = world.app.channels.maintain()
    finally:
        principals.destroy_principal_data = destroy  # type: ignore[method-assign]

    assert sorted(tried) == sorted([pid, bob_id]) and report.redestroyed == 1
    assert world.app.channels.maintain().redestroyed == 1  # the one that failed, on the next run
    assert _left(world, org, pid) == NOTHING and _left(world, org, bob_id) == NOTHING


def test_a_purge_destroys_what_was_written_since_the_deactivation_before_it_forgets_the_record(world: World) -> None:
    """After a purge the second pass no longer sees the principal: the purge itself takes what was written late."""
    org, pid = _alice(world)
    _deactivate(world)
    cipher = world.app.stores.backend.cipher  # type: ignore[attr-defined]
    assert cipher.encrypt(org, b"late", b"aad", principal_id=pid)  # a late sealed write: a key again
    late = {"principal_id": pid, "event_id": "late", "expireAt": world.clock.now() + timedelta(days=30)}
    world.app.stores.documents.write([Put(f"orgs/{org}/meetings/late", late)])

    world.app.provisioning.purge(org, ALICE)

    assert world.app.stores.principals.get_principal(org, pid) is None
    assert _left(world, org, pid) == NOTHING
