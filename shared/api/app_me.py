"""App API routes the pages need beyond meetings: my profile and strings, people of my org, delegates.

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
from shared.api.app_models import PresenceOut, iso, presence_out
from shared.api.http import respond
from shared.api.params import PeopleQuery
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


@op(
    "/v1/me",
    "GET",
    "me",
    "My profile: time zone, Calendar locale, lead time, keywords, the service's time and the page's strings.",
    "user",
    ok=ProfileOut,
)
def me(api: AppApi, caller: Caller) -> flask.Response:
    """My profile."""
    return respond(profile(api, caller))


@op(
    "/v1/people",
    "GET",
    "people",
    "People of my org with their presence: a search (`q`) or exact addresses (`email`, repeated).",
    "user",
    ok=PeopleOut,
)
def people(request: flask.Request, api: AppApi, caller: Caller, query: PeopleQuery) -> flask.Response:
    """People of my org."""
    emails = request.args.getlist("email")
    if emails:
        return _people(api.people.lookup(caller, emails))
    return _people(api.people.search(caller, request.args.get("q", "")))


@op(
    "/v1/me/delegates",
    "GET",
    "listDelegates",
    "Who has access to my calendar (acl.list).",
    "user",
    ok=DelegatesOut,
)
def list_delegates(api: AppApi, caller: Caller) -> flask.Response:
    """My delegates."""
    found = api.people.delegates(caller)
    return respond({"delegates": [{"email": d.email, "role": d.role, "rule_id": d.rule_id} for d in found]})
