"""People of my org for the app: a directory to invite from, their presence, and my delegates.

The directory is the org's active people (this service's own records, not Google's directory):
a search by part of an address or name for the attendee picker, and an exact lookup of up to
100 addresses with their presence for the attendee list of a meeting. Delegates are the user
rules of my calendar's sharing, the grants ``MeetingsApp.add_delegate`` makes.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from shared.domain.presence import Presence
from shared.domain.principals import Principal, PrincipalKind
from shared.errors import InvalidInput
from shared.ports.calendar import Sharing
from shared.ports.stores import PresenceRepository, PrincipalRepository
from shared.services.auth import Caller

SEARCH_LIMIT = 20
LOOKUP_LIMIT = 100
DELEGATE_ROLES = ("freeBusyReader", "reader", "writer")


class Person(msgspec.Struct, frozen=True):
    """A person of the caller's org with their presence."""

    email: str
    name: str | None
    presence: Presence


class Delegate(msgspec.Struct, frozen=True):
    """Someone granted access to my calendar."""

    email: str
    role: str
    rule_id: str


class People:
    """The directory, presence and delegate use cases behind ``/v1/people`` and ``/v1/me/delegates``."""

    def __init__(self, principals: PrincipalRepository, presence: PresenceRepository, sharing: Sharing) -> None:
        self._principals, self._presence, self._sharing = principals, presence, sharing

    def _person(self, principal: Principal) -> Person:
        current = self._presence.get_presence(principal.org_id, principal.id)
        presence = current or Presence(org_id=principal.org_id, principal_id=principal.id)
        return Person(principal.email.lower(), principal.name, presence)

    def search(self, caller: Caller, text: str) -> list[Person]:
        """Up to 20 active people of my org whose address or name contains ``text`` (all when empty)."""
        if len(text) > 100:
            raise InvalidInput("q may be at most 100 characters")
        needle = text.strip().lower()
        found = [
            p
            for p in self._principals.list_principals(caller.org.id, active_only=True)
            if p.kind is PrincipalKind.PERSON and (needle in p.email.lower() or needle in (p.name or "").lower())
        ]
        found.sort(key=lambda p: p.email.lower())
        return [self._person(p) for p in found[:SEARCH_LIMIT]]

    def lookup(self, caller: Caller, emails: Iterable[str]) -> list[Person]:
        """The active people of my org among ``emails`` (others are left out), in the order asked."""
        wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        if len(wanted) > LOOKUP_LIMIT:
            raise InvalidInput(f"ask for at most {LOOKUP_LIMIT} people")
        out = []
        for email in wanted:
            if len(email) > 254 or not caller.org.owns(email):
                continue
            found = self._principals.find_principal(caller.org.id, email)
            if found is not None and found.active and found.kind is PrincipalKind.PERSON:
                out.append(self._person(found))
        return out

    def delegates(self, caller: Caller) -> list[Delegate]:
        """The people granted access to my calendar (user rules other than my own)."""
        me = caller.principal.email.lower()
        out = []
        for rule in self._sharing.access_rules(caller.org, caller.principal):
            email = rule.scope_value or ""
            if rule.scope_type == "user" and email and email != me and rule.role in DELEGATE_ROLES:
                out.append(Delegate(email, rule.role, rule.rule_id))
        return sorted(out, key=lambda d: d.email)
