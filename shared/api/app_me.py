"""App API routes the pages need beyond meetings: my profile and strings, people of my org, delegates, presence.

``GET /v1/me`` answers who I am as the service sees me (time zone, Calendar locale, lead time,
the org's keywords, the service's current time) with the page's strings in my language, so the
page never guesses the day from the device's clock nor its language from the browser.
Registered on the app API's router when ``shared.api.app`` is imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import flask
from pydantic import BaseModel

from shared import i18n
from shared.api.app import AppApi, op
from shared.api.app_models import iso
from shared.api.app_people_models import DelegateIn, DelegateOut, PresenceOut, presence_out
from shared.api.app_routing import SSE
from shared.api.app_stream import StreamTarget, stream_response
from shared.api.http import respond
from shared.api.params import EmailPath, PeopleQuery, StreamHeader
from shared.domain.presence import RecipientKind
from shared.services.auth import Caller
from shared.services.join_buttons import lead_for
from shared.services.meetings_app import zone_of
from shared.services.people import Person


class ProfileOut(BaseModel):
    """Who I am to the service, and the page's strings in my language."""

    email: str
    name: str | None
    time_zone: str
    locale: str
    language: str
    lead_minutes: int
    keywords: list[str]
    now: datetime
    strings: dict[str, str]


class PersonOut(BaseModel):
    """A person of my org with their presence."""

    email: str
    name: str | None
    presence: PresenceOut


class PeopleOut(BaseModel):
    """People of my org."""

    people: list[PersonOut]


class DelegateItemOut(BaseModel):
    """A delegate of my calendar."""

    email: str
    role: str
    rule_id: str


class DelegatesOut(BaseModel):
    """Everyone granted access to my calendar."""

    delegates: list[DelegateItemOut]


def page_strings(locale: str | None) -> tuple[str, str, dict[str, str]]:
    """The BCP 47 tag, the catalog language and the web strings for a Calendar locale."""
    language = i18n.resolve(locale, i18n.WEB)
    return i18n.language_tag(locale), language, dict(i18n.messages(language))


def profile(api: AppApi, caller: Caller) -> dict[str, Any]:
    """The profile of a person or (for a device) of its room."""
    p = caller.principal
    tag, language, strings = page_strings(p.locale or caller.org.default_locale)
    return {
        "email": p.email,
        "name": p.name,
        "time_zone": zone_of(p.time_zone).key,
        "locale": tag,
        "language": language,
        "lead_minutes": int(lead_for(caller.org, p).total_seconds() // 60),
        "keywords": sorted(caller.org.keywords),
        "now": iso(api.clock.now()),
        "strings": strings,
    }


def _people(found: list[Person]) -> flask.Response:
    return respond(
        {"people": [{"email": p.email, "name": p.name, "presence": presence_out(p.presence)} for p in found]}
    )


@op("/v1/me", "GET", "me", "user", ok=ProfileOut)
def me(api: AppApi, caller: Caller) -> flask.Response:
    """My profile: time zone, Calendar locale, lead time, keywords, the service's time and the page's strings.

    My profile.
    """
    return respond(profile(api, caller))


@op("/v1/people", "GET", "people", "user", ok=PeopleOut)
def people(request: flask.Request, api: AppApi, caller: Caller, query: PeopleQuery) -> flask.Response:
    """People of my org with their presence: a search (`q`) or exact addresses (`email`, repeated).

    People of my org.
    """
    emails = request.args.getlist("email")
    if emails:
        return _people(api.people.lookup(caller, emails))
    return _people(api.people.search(caller, request.args.get("q", "")))


@op("/v1/me/delegates", "GET", "listDelegates", "user", ok=DelegatesOut)
def list_delegates(api: AppApi, caller: Caller) -> flask.Response:
    """Who has access to my calendar (acl.list).

    My delegates.
    """
    found = api.people.delegates(caller)
    return respond({"delegates": [{"email": d.email, "role": d.role, "rule_id": d.rule_id} for d in found]})


@op("/v1/me/delegates", "POST", "addDelegate", "user", 201, DelegateOut)
def add_delegate(api: AppApi, caller: Caller, body: DelegateIn) -> flask.Response:
    """Grant a person of my org access to my calendar (acl.insert).

    Grant a delegate.
    """
    rule_id = api.meetings.add_delegate(caller, body.email, body.role)
    return respond({"email": body.email.lower(), "role": body.role, "rule_id": rule_id}, 201)


@op("/v1/me/delegates/<email>", "DELETE", "removeDelegate", "user", 204)
def remove_delegate(api: AppApi, caller: Caller, path: EmailPath) -> None:
    """Revoke a delegate (acl.delete).

    Revoke a delegate.
    """
    api.meetings.remove_delegate(caller, path.email)


@op("/v1/me/presence", "GET", "myPresence", "user", ok=PresenceOut)
def my_presence(api: AppApi, caller: Caller) -> flask.Response:
    """My presence.

    My presence.
    """
    return respond(presence_out(api.meetings.presence(caller)))


@op("/v1/people/<email>/presence", "GET", "personPresence", "user", ok=PresenceOut)
def person_presence(api: AppApi, caller: Caller, path: EmailPath) -> flask.Response:
    """The presence of a person in my org.

    Someone's presence.
    """
    return respond(presence_out(api.meetings.presence(caller, path.email)))


@op("/v1/me/stream", "GET", "myStream", "user", ok=SSE)
def my_stream(request: flask.Request, api: AppApi, caller: Caller, header: StreamHeader) -> flask.Response:
    """Server-Sent Events: my join buttons and presence.

    My events.
    """
    p = caller.principal
    target = StreamTarget(caller.org.id, RecipientKind.PERSON, p.id, presence_of=p.id)
    return stream_response(api, request, header, target)
