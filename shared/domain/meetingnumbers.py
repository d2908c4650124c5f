"""Webex meeting numbers (rule R7 of ``joinlinks``): a number written after its label joins the meeting.

A number counts only when the event holds no Webex link and names Webex somewhere: as the site's
join link when a Webex link or video address names the site, else as the number itself, labelled.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from shared.domain.meetings import JoinKind, JoinTarget

_NUMBER_LABEL = (
    r"meeting\s+number|meeting-kennnummer|meeting-nummer|besprechungsnummer|"
    r"num[ée]ro\s+de\s+(?:la\s+)?r[ée]union|n[úu]mero\s+de\s+(?:la\s+)?reuni[óo]n|"
    r"n[úu]mero\s+da\s+reuni[ãa]o|numero\s+(?:della\s+|di\s+)?riunione|vergader(?:ings?)?nummer|"
    r"ミーティング番号|会議番号"
)
_MEETING_NUMBER = re.compile(
    rf"(?:{_NUMBER_LABEL})\s*(?:[(\uff08][^)\uff09\n]{{0,40}}[)\uff09])?\s*[:\uff1a]?\s*"
    r"(?P<number>\d[\d \xa0-]{7,16}\d)",
    re.IGNORECASE,
)
_NOT_SITES = frozenset({"www", "help", "web", "api", "signin", "idbroker", "settings", "meet", "lync", "m"})


def _webex_site(targets: list[JoinTarget]) -> str | None:
    """The Webex site host named by the first Webex link or video address, if any."""
    for target in targets:
        if target.kind not in (JoinKind.WEBEX, JoinKind.SIP):
            continue
        host = target.uri.split("@", 1)[1] if target.kind is JoinKind.SIP else urlsplit(target.uri).hostname or ""
        host = host.split(";", 1)[0].lower()
        labels = host.split(".")
        if host.endswith(".webex.com") and len(labels) >= 3 and labels[0] not in _NOT_SITES:
            return host
    return None


def meeting_numbers(text: str, targets: list[JoinTarget]) -> list[JoinTarget]:
    """The Webex meeting numbers in ``text`` as join targets, given the targets already found in it."""
    if any(t.kind is JoinKind.WEBEX for t in targets):
        return []
    site = _webex_site(targets)
    if site is None and "webex" not in text.lower():
        return []
    found = []
    for match in _MEETING_NUMBER.finditer(text):
        written = " ".join(match.group("number").replace("\xa0", " ").replace("-", " ").split())
        digits = written.replace(" ", "")
        if not 9 <= len(digits) <= 11:
            continue
        if site is None:
            found.append(JoinTarget(JoinKind.WEBEX, digits, label=written))
        else:
            uri = f"https://{site}/{site.split('.')[0]}/m.php?AT=JM&MK={digits}"
            found.append(JoinTarget(JoinKind.WEBEX, uri, label=written))
    return found
